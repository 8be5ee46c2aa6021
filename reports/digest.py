"""The daily digest: one e-mail a day to each user who chose it (``User.Notifications.DIGEST``),
listing the status changes of the certificates their organisation watches since their last
digest. Celery beat runs ``reports.send_daily_digests`` once a day (``DIGEST_HOUR``).

Users who chose ``immediate`` get one e-mail per change (``reports.delivery``), those who chose
``none`` nothing. A digest is written in the user's language (``User.language``; every portal
language when they chose none). Each user's ``digest_through`` is the end of the period their
last digest covered, moved only when the mail was handed to the mail server, so a run that
fails or runs twice neither loses nor repeats a change.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certification.models import Organisation, User
from reports import links
from reports.models import Certificate, CertificateEvent, WatchedCertificate

log = logging.getLogger(__name__)

# The first digest of a user covers the day before it; later ones run from the last one.
FIRST_PERIOD = dt.timedelta(days=1)


def digest_recipients() -> QuerySet[User]:
    """Active automaker users with an address who chose the daily digest."""
    return (
        User.objects.filter(
            is_active=True,
            notifications=User.Notifications.DIGEST,
            organisation__kind=Organisation.Kind.AUTOMAKER,
        )
        .exclude(email="")
        .order_by("pk")
    )


def changes_between(organisation_id: int, start: dt.datetime, end: dt.datetime):
    """Status changes of the organisation's watched certificates in (start, end], oldest first."""
    watched = WatchedCertificate.objects.filter(
        organisation_id=organisation_id, certificate_id=OuterRef("certificate_id")
    )
    return (
        CertificateEvent.objects.filter(Exists(watched), at__gt=start, at__lte=end)
        .select_related("certificate")
        .order_by("at", "id")
    )


def _line(event: CertificateEvent) -> str:
    certificate = event.certificate
    content = certificate.content or {}
    Status = Certificate.Status
    values = {
        "number": certificate.number,
        "holder": (content.get("holder") or {}).get("name", ""),
        "model": (content.get("product") or {}).get("model_number", ""),
        "from": Status(event.from_status).label if event.from_status else _("issued"),
        "to": Status(event.to_status).label,
        "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
        "reason": event.reason or "—",
        "url": links.verification_url(certificate.number),
    }
    return (
        _(
            "- %(number)s (%(holder)s, %(model)s): %(from)s → %(to)s on %(at)s.\n"
            "  Reason: %(reason)s\n  Check it: %(url)s"
        )
        % values
    )


def _digest_text(events: list[CertificateEvent], *, start: dt.datetime, end: dt.datetime):
    count = len(events)
    subject = ngettext(
        "Daily digest: %(count)s status change of watched certificates",
        "Daily digest: %(count)s status changes of watched certificates",
        count,
    ) % {"count": count}
    intro = _(
        "Certificates your organisation watches changed status between %(start)s and %(end)s "
        "(%(zone)s):"
    ) % {
        "start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
        "zone": timezone.get_current_timezone_name(),
    }
    outro = _(
        "You receive this digest once a day because you chose it on your account page, "
        "where you can change it: %(url)s"
    ) % {"url": links.absolute(reverse("account"))}
    body = "\n\n".join([intro, *(_line(e) for e in events), outro]) + "\n"
    return subject, body


def digest_text(user: User, events: list[CertificateEvent], *, start, end) -> tuple[str, str]:
    """Subject and body in the user's language, or in every portal language if they chose
    none (as the immediate e-mails are written)."""
    codes = [user.language] if user.language else [code for code, _n in settings.LANGUAGES]
    texts = []
    for code in codes:
        with translation.override(code):
            texts.append(_digest_text(events, start=start, end=end))
    subject = " / ".join(dict.fromkeys(s for s, _b in texts))
    body = "\n\n".join(dict.fromkeys(b for _s, b in texts))
    return subject, body


def digest_send(*, user_id: int, now: dt.datetime | None = None) -> int:
    """Send one user's digest of the changes since their last one, if there were any; returns
    how many changes it told (0: nothing sent). The user's row is locked meanwhile, so two runs
    cannot both send it; a mail server error propagates and leaves ``digest_through`` as it
    was, so the next run tells the same changes."""
    now = now or timezone.now()
    with transaction.atomic():
        user = digest_recipients().select_for_update(of=("self",)).filter(pk=user_id).first()
        if user is None:
            return 0
        start = user.digest_through or now - FIRST_PERIOD
        if start >= now:
            return 0
        events = list(changes_between(user.organisation_id, start, now))
        if events:
            subject, body = digest_text(user, events, start=start, end=now)
            send_mail(subject, body, None, [user.email])
        user.digest_through = now
        user.save(update_fields=["digest_through"])
    return len(events)


def digests_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every digest owed now (beat, daily). A user whose mail fails is logged and skipped:
    their period stays open and the next run covers it."""
    now = now or timezone.now()
    sent = failed = 0
    for user_id in digest_recipients().values_list("pk", flat=True):
        try:
            sent += bool(digest_send(user_id=user_id, now=now))
        except (smtplib.SMTPException, OSError) as exc:
            failed += 1
            log.warning("digest for user %s failed: %s: %s", user_id, type(exc).__name__, exc)
    return {"sent": sent, "failed": failed}
