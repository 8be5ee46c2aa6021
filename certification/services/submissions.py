"""Products and submissions: a maker registers a cell model, opens a submission (claimed class
and an accredited lab) and submits it for evaluation."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import access
from certification.evidence import rule_data
from certification.exceptions import EvidenceMissing, FieldError, InvalidInput, NotPermitted
from certification.models import (
    Dataset,
    Evaluation,
    Organisation,
    Product,
    RuleSet,
    Submission,
    User,
)
from certification.rules import RuleSetData
from certification.services.common import S, audit, locked_submission, transition
from certification.services.datasets import refuse_while_reading
from certification.services.evaluations import evaluation_hand_off
from certification.services.rulesets import ruleset_in_force

PRODUCT_FIELDS = (
    "model_number",
    "name",
    "electrolyte_family",
    "conducting_ion",
    "rated_capacity_ah",
    "nominal_voltage_v",
    "rated_energy_wh",
    "max_continuous_power_w",
    "cell_mass_g",
    "declared_liquid_electrolyte_pct",
)


def product_create(*, user: User, **fields: Any) -> Product:
    """A manufacturer registers a cell model (field validation is the form's or serializer's)."""
    if not access.can_register_products(user):
        raise NotPermitted(_("Only a manufacturer can register products."))
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown product fields: %s") % ", ".join(sorted(unknown)))
    if Product.objects.filter(
        manufacturer_id=user.organisation_id, model_number=fields.get("model_number")
    ).exists():
        raise InvalidInput(
            _("You already registered a product with this model number."),
            errors=[
                FieldError(_("This model number is already registered."), column="model_number")
            ],
        )
    with transaction.atomic():
        try:
            product = Product.objects.create(
                manufacturer_id=user.organisation_id, created_by=user, **fields
            )
        except IntegrityError as exc:  # a concurrent registration of the same model number
            raise InvalidInput(_("This product could not be registered: %s") % exc) from None
        audit(
            action="product.registered",
            actor=user,
            product=product,
            model_number=product.model_number,
        )
    return product


def submission_create(
    *, user: User, product: Product, claimed_class: str, lab: Organisation
) -> Submission:
    """The maker opens a submission for its product, claims a class, assigns an accredited lab."""
    if product.manufacturer_id != user.organisation_id or not access.can_register_products(user):
        raise NotPermitted(_("You can open submissions only for your own organisation's products."))
    if not access.labs_assignable_by(user).filter(pk=lab.pk).exists():
        raise InvalidInput(
            _("%(lab)s is not a laboratory with a valid accreditation.") % {"lab": lab},
            errors=[FieldError(_("Choose an accredited laboratory."), column="lab")],
        )
    with transaction.atomic():
        submission = Submission.objects.create(
            product=product, claimed_class=claimed_class, lab=lab, created_by=user
        )
        audit(
            action="submission.opened",
            actor=user,
            submission=submission,
            claimed_class=claimed_class,
            lab=lab.name,
        )
    return submission


def evidence_checklist(submission: Submission, rules: RuleSetData) -> list[dict[str, Any]]:
    """Each kind of evidence the rule set requires for the submission's claimed class
    (``RuleSetData.required_evidence_for``), whether it is there, and if not, why.

    A file counts when it is not withdrawn, was read, and comes from a source the rule set's
    ``[evidence]`` accepts: by default only the lab, and only the lab assigned to the submission
    (``require_assigned_lab``). The maker's own rows are declarations and never count.
    """
    policy = rules.evidence
    labels = dict(Dataset.Kind.choices)
    files = list(
        submission.datasets.filter(withdrawn_at__isnull=True).only(
            "submission_id", "kind", "source", "organisation_id", "parse_status"
        )
    )
    checklist = []
    for kind in rules.required_evidence_for(submission.claimed_class):
        of_kind = [d for d in files if d.kind == kind]
        counting = [
            d
            for d in of_kind
            if d.source in policy.accepted_sources
            and not (
                d.source == Dataset.Source.LAB
                and policy.require_assigned_lab
                and d.organisation_id != submission.lab_id
            )
        ]
        read = [d for d in counting if d.parse_status == Dataset.ParseStatus.PARSED]
        params = {"kind": labels.get(kind, kind), "lab": submission.lab.name}
        if read:
            reason = ""
        elif any(d.parse_status in _BEING_READ for d in counting):
            reason = _("%(kind)s: the laboratory's file is still being read.") % params
        elif of_kind:
            reason = (
                _(
                    "%(kind)s: only a file that does not count was uploaded (the manufacturer's "
                    "own results are declarations); %(lab)s must upload its results."
                )
                % params
            )
        else:
            reason = _("%(kind)s: no file from %(lab)s yet.") % params
        checklist.append(
            {"kind": kind, "label": params["kind"], "present": bool(read), "missing": reason}
        )
    return checklist


_BEING_READ = (Dataset.ParseStatus.QUEUED, Dataset.ParseStatus.PARSING)


def _refuse_missing_evidence(submission: Submission, ruleset: RuleSet) -> None:
    """Raise ``EvidenceMissing`` listing what the rule set still requires; nothing changes."""
    missing = [
        item for item in evidence_checklist(submission, rule_data(ruleset)) if not item["present"]
    ]
    if missing:
        raise EvidenceMissing(
            _(
                "The submission cannot be submitted yet: rule set %(ruleset)s requires evidence "
                "that is missing."
            )
            % {"ruleset": f"{ruleset.code} v{ruleset.version}"},
            errors=[FieldError(item["missing"], column=item["kind"]) for item in missing],
        )


def submission_submit(*, user: User, submission: Submission) -> Evaluation:
    """The maker submits; the rule set in force is fixed and an evaluation is queued.

    The rule set's required evidence must be there first (``evidence_checklist``): else
    ``EvidenceMissing`` lists each missing kind and nothing changes. Idempotent against double
    submission: the row lock and the transition table let only the first request through; the
    second is answered with ``InvalidTransition``. The evaluation row
    is the hand-off: it is committed first and reaches a worker even if the broker is away now
    (``evaluation.stage`` then says ``waiting_for_workers``).
    """
    if not access.can_manage_submission(user, submission):
        raise NotPermitted(_("Only the manufacturer can submit this submission."))
    ruleset = ruleset_in_force()
    with transaction.atomic():
        locked = locked_submission(submission.pk)
        previous = locked.status
        transition(locked, S.EVALUATING)
        # Under the submission's lock, which a withdrawal takes too: what is checked is submitted.
        _refuse_missing_evidence(locked, ruleset)
        refuse_while_reading(locked)
        locked.attempt += 1
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "attempt", "submitted_at", "updated_at"])
        evaluation = Evaluation.objects.create(
            submission=locked, attempt=locked.attempt, ruleset=ruleset
        )
        if ruleset.first_used_at is None:
            RuleSet.objects.filter(pk=ruleset.pk, first_used_at__isnull=True).update(
                first_used_at=timezone.now()
            )
        audit(
            action="submission.submitted",
            actor=user,
            submission=locked,
            before={"status": previous},
            after={"status": locked.status},
            attempt=locked.attempt,
            ruleset=f"{ruleset.code} v{ruleset.version}",
        )
        # After the commit: the row says "queued" whatever the broker does; if it does not take
        # the task now, the evaluation says it waits for the workers and the sweep sends it later.
        transaction.on_commit(lambda: evaluation_hand_off(evaluation_id=evaluation.pk))
    submission.refresh_from_db()
    evaluation.refresh_from_db()
    return evaluation
