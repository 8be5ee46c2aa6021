"""A user's own e-mail address and how they hear of status changes of the certificates their
organisation watches: each change at once, a daily digest, or nothing (``User.Notifications``),
and the language of their e-mails. The account page and ``/api/v1/account/`` call
``preferences_update``; ``reports.delivery`` and ``reports.digest`` read the choice."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from certification.exceptions import FieldError, InvalidInput
from certification.models import User
from certification.services import audit

EMAIL_MAX_CHARS = 254  # RFC 5321's limit on a forward path, and AbstractUser's column


def language_codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def _checked(*, email, notifications, language) -> dict[str, str]:
    """The given values, cleaned; ``InvalidInput`` naming every bad field (nothing is saved)."""
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    if email is not None:
        email = email.strip() if isinstance(email, str) else email
        if not isinstance(email, str) or len(email) > EMAIL_MAX_CHARS:
            errors.append(FieldError(_("Enter a valid e-mail address."), column="email"))
        elif email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(FieldError(_("Enter a valid e-mail address."), column="email"))
            else:
                values["email"] = email
        else:
            values["email"] = ""  # no address: no e-mails
    if notifications is not None:
        if notifications not in User.Notifications.values:
            message = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(User.Notifications.values)
            }
            errors.append(FieldError(message, column="notifications"))
        else:
            values["notifications"] = notifications
    if language is not None:
        if language not in ("", *language_codes()):
            message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(language_codes())}
            errors.append(FieldError(message, column="language"))
        else:
            values["language"] = language
    if errors:
        message = _("Not saved: %(fields)s.") % {
            "fields": "; ".join(f"{e.column}: {e.message}" for e in errors)
        }
        raise InvalidInput(message, errors=errors)
    return values


def preferences_update(
    *,
    user: User,
    email: str | None = None,
    notifications: str | None = None,
    language: str | None = None,
) -> User:
    """Change the user's own address, notification choice and e-mail language (``None``: leave
    it). All or nothing; the change is audited (the addresses themselves are not written to
    the append-only log, only that the address changed)."""
    values = _checked(email=email, notifications=notifications, language=language)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = {k: v for k, v in values.items() if getattr(locked, k) != v}
        if not changed:
            return locked
        before = {k: getattr(locked, k) for k in changed}
        for key, value in changed.items():
            setattr(locked, key, value)
        locked.save(update_fields=list(changed))
        audit(
            action="account.preferences_changed",
            actor=locked,
            object_type="user",
            object_id=locked.pk,
            before=_public(before),
            after=_public(changed),
        )
    for key, value in changed.items():
        setattr(user, key, value)  # the caller's object (request.user) says the same
    return locked


def _public(values: dict[str, str]) -> dict[str, object]:
    return {k: (bool(v) if k == "email" else v) for k, v in values.items()}
