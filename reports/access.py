"""Who may see and do what with certificates; the certificate pages and API use these, and
``reports.services`` enforces the same table.

Anyone may verify a certificate by number (``reports.verification``); these functions govern the
rest (evidence, history, status actions). Built on ``certification.access``'s notion of who a
user is.
"""

from __future__ import annotations

from django.db.models import QuerySet

from certification import access
from certification.models import Organisation
from reports.models import Certificate
from reports.transitions import BY_CERTIFICATION_BODY, BY_HOLDER

Kind = Organisation.Kind


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates in full (evidence, events): holder, testing lab, certification body, regulator.

    Anyone may verify a certificate by number (``reports.verification``); this is the rest.
    """
    qs = Certificate.objects.all()
    if access.sees_everything(user):
        return qs
    kind = access.organisation_kind(user)
    if kind == Kind.MANUFACTURER:
        return qs.filter(holder_id=user.organisation_id)
    if kind == Kind.TEST_LAB:
        return qs.filter(submission__lab_id=user.organisation_id)
    if kind in (Kind.CERTIFICATION_BODY, Kind.REGULATOR):
        return qs
    return qs.none()


def certificate_statuses_settable_by(user, certificate) -> frozenset[str]:
    """The statuses ``user`` may put ``certificate`` into by hand, whatever its status now.

    Reviewers of the certification body suspend, reinstate (valid), revoke and withdraw; the
    holder (a manufacturer) asks for withdrawal. Expiry and supersession are the portal's own.
    ``reports.services.certificate_change_status`` enforces the same table; the pages use this to
    offer only the actions a user has.
    """
    allowed: set[str] = set()
    if access.is_reviewer(user):
        allowed |= BY_CERTIFICATION_BODY
    if (
        access.organisation_kind(user) == Kind.MANUFACTURER
        and certificate.holder_id == user.organisation_id
    ):
        allowed |= BY_HOLDER
    return frozenset(allowed)
