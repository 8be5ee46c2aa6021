"""Who may see and do what: one function per resource, used by the API and the pages alike.

Visibility functions return querysets; anything outside them is answered with 404 so that a
user of another organisation cannot even learn that a record exists. The ``can_*`` predicates
decide actions; services call them and raise ``NotPermitted``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import AuditEvent, Dataset, Organisation, Product, Submission, User

Kind = Organisation.Kind


def organisation_kind(user) -> str | None:
    """The kind of organisation an active, signed-in user belongs to, else None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.organisation.kind if user.organisation_id else None


def sees_everything(user) -> bool:
    # Django's superusers (the certification body's own administrators) audit everything.
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def submissions_visible_to(user) -> QuerySet[Submission]:
    qs = Submission.objects.all()
    if sees_everything(user):
        return qs
    kind = organisation_kind(user)
    if kind == Kind.MANUFACTURER:
        return qs.filter(product__manufacturer_id=user.organisation_id)
    if kind == Kind.TEST_LAB:
        return qs.filter(lab_id=user.organisation_id)
    if kind in (Kind.CERTIFICATION_BODY, Kind.REGULATOR):
        # Drafts are the maker's and lab's work in progress; every submitted attempt is visible
        # (and a certification body's own laboratory sees the drafts assigned to it).
        return qs.filter(Q(attempt__gte=1) | Q(lab_id=user.organisation_id))
    return qs.none()


def products_visible_to(user) -> QuerySet[Product]:
    qs = Product.objects.all()
    if sees_everything(user):
        return qs
    kind = organisation_kind(user)
    if kind == Kind.MANUFACTURER:
        return qs.filter(manufacturer_id=user.organisation_id)
    if kind in (Kind.TEST_LAB, Kind.CERTIFICATION_BODY, Kind.REGULATOR):
        return qs.filter(pk__in=submissions_visible_to(user).values("product_id"))
    return qs.none()


def datasets_visible_to(user) -> QuerySet[Dataset]:
    return Dataset.objects.filter(submission__in=submissions_visible_to(user))


def labs_assignable_by(user) -> QuerySet[Organisation]:
    """Accredited laboratories whose accreditation is valid today."""
    if organisation_kind(user) != Kind.MANUFACTURER and not sees_everything(user):
        return Organisation.objects.none()
    today = timezone.localdate()
    # A certification body that runs its own accredited laboratory may be assigned too; its
    # reviewers then may not decide what their organisation tested (see review_conflict).
    return Organisation.objects.filter(
        Q(accreditation_valid_until__isnull=True) | Q(accreditation_valid_until__gte=today),
        kind__in=(Kind.TEST_LAB, Kind.CERTIFICATION_BODY),
        accreditation_valid_from__lte=today,
    ).exclude(accreditation_number="")


def can_register_products(user) -> bool:
    return organisation_kind(user) == Kind.MANUFACTURER


def can_manage_submission(user, submission: Submission) -> bool:
    """The maker that owns the product opens, edits and submits its submissions."""
    return (
        organisation_kind(user) == Kind.MANUFACTURER
        and submission.product.manufacturer_id == user.organisation_id
    )


def upload_source_for(user, submission: Submission) -> str | None:
    """Whose evidence an upload by ``user`` is: the assigned lab's, a maker declaration, or none."""
    kind = organisation_kind(user)
    if (
        kind in (Kind.TEST_LAB, Kind.CERTIFICATION_BODY)
        and submission.lab_id == user.organisation_id
    ):
        return Dataset.Source.LAB
    if kind == Kind.MANUFACTURER and submission.product.manufacturer_id == user.organisation_id:
        return Dataset.Source.MAKER
    return None


def can_withdraw_dataset(user, dataset: Dataset) -> bool:
    return (
        organisation_kind(user) is not None
        and dataset.organisation_id == user.organisation_id
        and upload_source_for(user, dataset.submission) is not None
    )


def is_reviewer(user) -> bool:
    return organisation_kind(user) == Kind.CERTIFICATION_BODY and user.role in (
        User.Role.REVIEWER,
        User.Role.ADMIN,
    )


def submissions_uploaded_to_by(user, submission_ids) -> frozenset[int]:
    """Of ``submission_ids``, those ``user`` uploaded a dataset to, in one query; for
    ``review_conflict`` over a list of submissions."""
    return frozenset(
        Dataset.objects.filter(uploaded_by_id=user.pk, submission_id__in=list(submission_ids))
        .values_list("submission_id", flat=True)
        .distinct()
        .order_by()
    )


def review_conflict(
    user, submission: Submission, *, uploaded_submission_ids: frozenset[int] | None = None
) -> str | None:
    """Why ``user`` may not decide ``submission`` (four eyes), or None when they may.

    Enforced by ``services.submission_decide``; the pages use it only to explain. A listing
    passes ``uploaded_submission_ids`` (``submissions_uploaded_to_by``) to spare a query a row.
    """
    if not is_reviewer(user):
        return _("Only reviewers of the certification body can decide submissions.")
    if user.organisation_id in (submission.product.manufacturer_id, submission.lab_id):
        return _("You belong to the manufacturer's or the laboratory's organisation.")
    if submission.created_by_id == user.pk or submission.product.created_by_id == user.pk:
        return _("You opened this submission or registered its product.")
    if uploaded_submission_ids is not None:
        uploaded = submission.pk in uploaded_submission_ids
    else:
        uploaded = submission.datasets.filter(uploaded_by=user).exists()
    if uploaded:
        return _("You uploaded some of this submission's data.")
    return None


def can_audit(user) -> bool:
    """Regulators and the certification body read the audit trail and re-run evaluations."""
    return sees_everything(user) or organisation_kind(user) in (
        Kind.REGULATOR,
        Kind.CERTIFICATION_BODY,
    )


def can_operate(user) -> bool:
    """The certification body's staff (reviewers, administrators) see the workers' backlog and
    re-queue stuck work; regulators read the record but change nothing."""
    return sees_everything(user) or is_reviewer(user)


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The portal-wide audit log: every event to those who ``can_audit``, nothing to anyone else.

    The pages and the API answer 403 to a user who may not audit, before reading any of it.
    """
    if not can_audit(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def can_propose_rulesets(user) -> bool:
    """Regulators and the certification body upload rule-set proposals, read them and run their
    impact analysis; only the certification body's reviewers approve one
    (``ruleset_approval_conflict``)."""
    return can_audit(user)


def ruleset_approval_conflict(user, ruleset, *, approver_ids: frozenset[int]) -> str | None:
    """Why ``user`` may not approve the proposed ``ruleset`` (four eyes), or None when they may.

    Two different reviewers of the certification body approve, neither of them the proposer:
    whoever wrote the text never counts as one of the two pairs of eyes that checked it.
    Enforced by ``services.ruleset_approve``; the pages use it only to explain.
    """
    if not is_reviewer(user):
        return _("Only reviewers of the certification body can approve a rule set.")
    if ruleset.proposed_by_id == user.pk:
        return _("You proposed this rule set; two other reviewers approve it.")
    if user.pk in approver_ids:
        return _("You already approved this rule set.")
    return None
