"""Reads shaped for the API and the pages. Visibility is decided in ``certification.access``."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy

from certification import vocabulary
from certification.criteria import MESSAGES, render, render_text
from certification.models import (
    AuditEvent,
    BatteryClass,
    Decision,
    ElectrolyteFamily,
    Evaluation,
    Submission,
)
from certification.presentation import shown_params


def submissions_for_listing(qs: QuerySet[Submission]) -> QuerySet[Submission]:
    """Everything a listing shows, in a constant number of queries whatever the page size."""
    return qs.select_related("product__manufacturer", "lab", "certificate").prefetch_related(
        Prefetch(
            "evaluations",
            queryset=Evaluation.objects.select_related("ruleset").order_by("-attempt"),
            to_attr="evaluations_newest_first",
        ),
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("reviewer", "evaluation").order_by(
                "decided_at", "id"
            ),
            to_attr="decisions_in_order",
        ),
    )


def stage_text(stage: str, params: dict | None = None) -> str:
    """An evaluation's progress stage (a code with parameters) in the active language."""
    try:
        label = str(Evaluation.Stage(stage).label)
    except ValueError:
        return stage or ""
    try:
        return label.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return label


def latest_evaluation(submission: Submission) -> Evaluation | None:
    prefetched = getattr(submission, "evaluations_newest_first", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return submission.evaluations.select_related("ruleset").order_by("-attempt").first()


def translated(message_id: str | None, params: dict | None, fallback: str) -> str:
    """A criterion's or flag's sentence in the active language (stored English as fallback).

    Words inside the parameters (failed conditions, a content band) are text values that render
    in the same language (migration 0004 put older evaluations into that form).
    """
    if (message_id or "") not in MESSAGES:
        return fallback
    try:
        shown = shown_params(params or {})  # computed numbers at the precision tables show
        return render(message_id, _localized_params(shown), translate=gettext)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return fallback


def measured_in_active_language(criterion: dict):
    """A criterion's measured record with its test conditions in the active language.

    ``measured["conditions"]`` is the engine's English (``118 to 122 °C``); the criterion's
    ``requirements`` hold the same as text values, which render in the viewer's language.
    """
    measured = criterion.get("measured")
    requirements = criterion.get("requirements")
    conditions = measured.get("conditions") if isinstance(measured, dict) else None
    if not isinstance(conditions, dict) or not isinstance(requirements, dict):
        return measured
    try:
        words = {
            name: render_text(requirements[name], gettext) if name in requirements else text
            for name, text in conditions.items()
        }
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return measured
    return {**measured, "conditions": words}


# The engine's codes in its sentences' parameters, named in the active language (the labels are
# certification.vocabulary's, translated when shown).
_SAFETY_TESTS = vocabulary.SAFETY_TESTS
_SHEET_KINDS = vocabulary.SHEET_KINDS
_INDICATORS = vocabulary.SAFETY_FAILURE_INDICATORS
_OUTCOMES = {code: vocabulary.OUTCOMES[code] for code in ("pass", "fail")}


def _localized_params(params: dict) -> dict:
    """In a language other than English, the codes and English class names in a sentence's
    parameters (``nail_penetration``, ``fire or explosion``, ``hybrid solid-liquid battery``)
    become words of that language; English sentences keep them as the engine wrote them."""
    if (get_language() or "en").split("-")[0] == "en":
        return params
    out = dict(params)
    classes = {str(c.value).replace("_", " "): c for c in BatteryClass}
    classes.update({f"{key} battery": c for key, c in classes.items()})
    for key in ("class_name", "band_class_name", "claimed_class_name"):
        found = classes.get(str(out.get(key, "")).lower().replace("-", " "))
        if found is not None:
            out[key] = str(found.label)
    if out.get("test") in _SAFETY_TESTS:
        out["test"] = gettext(_SAFETY_TESTS[out["test"]])
    kind = str(out.get("kind", ""))
    if kind in _SHEET_KINDS:
        out["kind"] = gettext(_SHEET_KINDS[kind])
    elif kind.removeprefix("safety.") in _SAFETY_TESTS:
        out["kind"] = gettext(_SAFETY_TESTS[kind.removeprefix("safety.")])
    if isinstance(out.get("indicators"), str):
        words = out["indicators"].split(" or ")
        out["indicators"] = gettext(" or ").join(
            gettext(_INDICATORS[w]) if w in _INDICATORS else w for w in words
        )
    for key in ("declared_outcome", "lab_outcome"):
        if out.get(key) in _OUTCOMES:
            out[key] = gettext(_OUTCOMES[out[key]])
    if out.get("family") in ElectrolyteFamily.values:
        out["family"] = str(ElectrolyteFamily(out["family"]).label)
    return out


def evaluation_as_dict(evaluation: Evaluation) -> dict:
    result = evaluation.result or {}
    criteria = [
        {
            "code": c.get("code"),
            "outcome": c.get("outcome"),
            "measured": measured_in_active_language(c),
            "limit": c.get("limit"),
            "comparator": c.get("comparator"),
            "unit": c.get("unit"),
            "message": translated(c.get("message_id"), c.get("params"), c.get("message", "")),
        }
        for c in result.get("criteria", [])
    ]
    flags = [
        {
            "code": f.get("code"),
            "severity": f.get("severity"),
            "message": translated(f.get("message_id"), f.get("params"), f.get("message", "")),
        }
        for f in result.get("flags", [])
    ]
    return {
        "id": evaluation.pk,
        "attempt": evaluation.attempt,
        "status": evaluation.status,
        "progress": evaluation.progress,
        "stage": stage_text(evaluation.stage, evaluation.stage_params),
        "ruleset": {
            "code": evaluation.ruleset.code,
            "version": evaluation.ruleset.version,
            "standard_id": evaluation.ruleset.standard_id,
            "sha256": evaluation.ruleset.sha256,
        },
        "queued_at": evaluation.queued_at,
        "started_at": evaluation.started_at,
        "finished_at": evaluation.finished_at,
        "determined_class": evaluation.determined_class or None,
        "certifiable": evaluation.certifiable,
        "may_label_solid_state": evaluation.may_label_solid_state,
        "claim_supported": evaluation.claim_supported,
        "classification_code": evaluation.classification_code or None,
        "labels": result.get("labels", {}),
        "flags": flags,
        "criteria": criteria,
        "inputs": evaluation.inputs,
        "engine_version": evaluation.engine_version,
        "error": evaluation.error or None,
    }


def decisions_of(submission: Submission) -> list[Decision]:
    prefetched = getattr(submission, "decisions_in_order", None)
    if prefetched is not None:
        return prefetched
    return list(
        submission.decisions.select_related("reviewer", "evaluation").order_by("decided_at", "id")
    )


def certificate_of(submission: Submission):
    """The certificate issued on ``submission`` (``reports`` adds the relation), or None."""
    try:
        return submission.certificate
    except ObjectDoesNotExist:
        return None


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def certificate_summary(certificate) -> dict:
    """A submission's certificate as the submission API shows it. The certificate is
    ``reports``' model; only its fields and its routes' names are read here."""
    number = certificate.number
    return {
        "number": certificate.number,
        "status": certificate.status,
        "status_reason": certificate.status_reason or None,
        "issued_at": certificate.issued_at,
        "valid_from": certificate.valid_from,
        "expires_on": certificate.expires_on,
        "pdf_sha256": certificate.pdf_sha256,
        "pdf_url": _absolute(reverse("certificate-pdf", kwargs={"number": number})),
        "credential_url": _absolute(reverse("certificate-credential", kwargs={"number": number})),
        "verification_url": _absolute(reverse("verify-certificate", args=[number])),
    }


def audit_trail(submission: Submission) -> list[dict]:
    events = AuditEvent.objects.filter(submission=submission).select_related(
        "actor", "actor_organisation"
    )
    return [
        {
            "at": e.at,
            "action": e.action,
            "actor": e.actor.username if e.actor else "portal",
            "organisation": e.actor_organisation.name if e.actor_organisation else None,
            "detail": _with_change(e),
        }
        for e in events.order_by("at", "id")
    ]


def _with_change(event: AuditEvent) -> dict:
    """The event's detail with its reason and its before and after, when it records them."""
    change = {k: getattr(event, k) for k in ("reason", "before", "after")}
    return {**{k: v for k, v in change.items() if v not in (None, "")}, **(event.detail or {})}


def review_queue(qs: QuerySet[Submission]) -> QuerySet[Submission]:
    """Submissions awaiting a reviewer's decision, the longest-waiting first."""
    return submissions_for_listing(qs.filter(status=Submission.Status.AWAITING_REVIEW)).order_by(
        "submitted_at", "id"
    )


def approvals_of(submission: Submission) -> tuple[frozenset[int], int | None]:
    """(ids of the different reviewers who approved the current attempt, approvals the rule set
    requires for its determined class)."""
    evaluation = latest_evaluation(submission)
    if evaluation is None or evaluation.attempt != submission.attempt:
        return frozenset(), None
    approvers = frozenset(
        d.reviewer_id
        for d in decisions_of(submission)
        if d.evaluation_id == evaluation.pk and d.decision == Decision.Kind.APPROVE
    )
    return approvers, (evaluation.result or {}).get("reviewer_approvals_required")


def evaluations_of(submission: Submission) -> QuerySet[Evaluation]:
    """Every evaluated attempt of a submission, the newest first (audit page)."""
    return submission.evaluations.select_related("ruleset").order_by("-attempt")


# --- the portal-wide audit log ----------------------------------------------------------------

# What each recorded action is called; an action not named here is shown as its code.
AUDIT_ACTIONS = {
    "product.registered": gettext_lazy("Product registered"),
    "submission.opened": gettext_lazy("Submission opened"),
    "submission.submitted": gettext_lazy("Submitted for evaluation"),
    "submission.approve": gettext_lazy("Approved by a reviewer"),
    "submission.reject": gettext_lazy("Rejected by a reviewer"),
    "submission.return": gettext_lazy("Returned to the maker for more data"),
    "dataset.uploaded": gettext_lazy("Data uploaded"),
    "dataset.withdrawn": gettext_lazy("Data withdrawn"),
    "dataset.parsed": gettext_lazy("Raw file read"),
    "dataset.refused": gettext_lazy("Raw file refused by the parser"),
    "dataset.integrity_failed": gettext_lazy("Stored file failed its SHA-256 check"),
    "evaluation.finished": gettext_lazy("Evaluation finished"),
    "evaluation.failed": gettext_lazy("Evaluation failed"),
    "evaluation.reproduced": gettext_lazy("Evaluation re-run"),
    "evaluation.whatif": gettext_lazy("Evaluation re-run under another rule set (what-if)"),
    "ruleset.proposed": gettext_lazy("Rule set proposed"),
    "ruleset.approved": gettext_lazy("Rule set proposal approved"),
    "ruleset.activated": gettext_lazy("Rule set activated"),
    "ruleset.impact_requested": gettext_lazy("Impact analysis requested"),
    "ruleset.impact_finished": gettext_lazy("Impact analysis finished"),
    "certificate.issued": gettext_lazy("Certificate issued"),
    "certificate.suspended": gettext_lazy("Certificate suspended"),
    "certificate.valid": gettext_lazy("Certificate reinstated"),
    "certificate.revoked": gettext_lazy("Certificate revoked"),
    "certificate.withdrawn": gettext_lazy("Certificate withdrawn"),
    "certificate.expired": gettext_lazy("Certificate expired"),
    "certificate.superseded": gettext_lazy("Certificate superseded"),
}
# The groups the log can be narrowed to by prefix (``?action=certificate.``).
AUDIT_ACTION_GROUPS = {
    "product.": gettext_lazy("Products"),
    "submission.": gettext_lazy("Submissions and decisions"),
    "dataset.": gettext_lazy("Data"),
    "evaluation.": gettext_lazy("Evaluations"),
    "certificate.": gettext_lazy("Certificates"),
    "ruleset.": gettext_lazy("Rule sets"),
}
# A reviewer's decision is recorded as ``submission.<decision>``; its ``detail["decision"]`` is
# the Decision row's id, so the kind is read from the action.
_DECISION_ACTIONS = {f"submission.{kind}": kind for kind in Decision.Kind.values}


def audit_action_label(action: str) -> str:
    return str(AUDIT_ACTIONS.get(action, action))


def audit_log(qs: QuerySet) -> QuerySet:
    """Audit events newest first with who, what and where in the same query: the cost of a page
    or of a whole export does not grow with the number of events."""
    return qs.select_related(
        "actor", "actor_organisation", "submission__certificate", "product__manufacturer"
    ).only(
        "id", "seq", "prev_hash", "hash", "at", "action", "object_type", "object_id",
        "before", "after", "reason", "detail",
        "actor__username", "actor__first_name", "actor__last_name",
        "actor_organisation__name",
        "submission__id", "submission__certificate__number",
        "product__id", "product__model_number", "product__manufacturer__name",
    ).order_by("-at", "-id")  # fmt: skip


def audit_actor_name(event) -> str:
    """The actor's full name, or the username when none is recorded; "" for the portal itself."""
    if event.actor is None:
        return ""
    return event.actor.get_full_name() or event.actor.username


def audit_certificate_number(event) -> str | None:
    """The certificate an event is about: the one its detail names (certificate actions), else
    the certificate its submission led to."""
    number = (event.detail or {}).get("certificate")
    if isinstance(number, str) and number:
        return number
    if event.submission is not None:
        certificate = certificate_of(event.submission)
        if certificate is not None:
            return certificate.number
    return None


def audit_decision(event) -> str | None:
    kind = _DECISION_ACTIONS.get(event.action)
    return str(Decision.Kind(kind).label) if kind else None


def class_label(code: str) -> str:
    """A battery class's name in the active language; a code the portal does not know as it is."""
    try:
        return str(BatteryClass(code).label)
    except ValueError:
        return code


def audit_facts(event) -> dict[str, object]:
    """The detail's key facts by name, in the active language: reason, decision, attempt, data
    kind, determined class, hashes (whole: the page shortens them) and whether a re-run was
    identical. Absent facts are left out."""
    detail = event.detail or {}
    facts: dict[str, object] = {}
    reason = event.reason or detail.get("reason")  # older events kept it in their detail
    if reason:
        facts["reason"] = str(reason)
    decision = audit_decision(event)
    if decision:
        facts["decision"] = decision
    if detail.get("attempt") is not None:
        facts["attempt"] = detail["attempt"]
    if detail.get("kind"):
        facts["kind"] = str(_SHEET_KINDS.get(detail["kind"], detail["kind"]))
    if detail.get("determined_class"):
        facts["determined_class"] = class_label(str(detail["determined_class"]))
    for key in ("sha256", "pdf_sha256"):
        if isinstance(detail.get(key), str):
            facts[key] = detail[key]
    if isinstance(detail.get("identical"), bool):
        facts["identical"] = detail["identical"]
    return facts


def audit_csv_header() -> list[str]:
    return [
        gettext("Event"),
        gettext("When"),
        gettext("Action"),
        gettext("Action code"),
        gettext("User"),
        gettext("Name"),
        gettext("Organisation"),
        gettext("Submission"),
        gettext("Product model"),
        gettext("Manufacturer"),
        gettext("Certificate number"),
        gettext("Decision"),
        gettext("Reason"),
        gettext("SHA-256"),
        gettext("PDF SHA-256"),
        gettext("Details (JSON)"),
    ]


# An export reads this many events at a time from a server-side cursor: a few MB at most.
AUDIT_EXPORT_CHUNK = 2000


def audit_csv_rows(qs: QuerySet):
    """One row per event of ``audit_log(qs)``, read ``AUDIT_EXPORT_CHUNK`` at a time from a
    server-side cursor, so that an export of any length holds one chunk in memory."""
    for event in audit_log(qs).iterator(chunk_size=AUDIT_EXPORT_CHUNK):
        facts = audit_facts(event)
        yield [
            event.pk,
            timezone.localtime(event.at).isoformat(),
            audit_action_label(event.action),
            event.action,
            event.actor.username if event.actor else "",
            audit_actor_name(event),
            event.actor_organisation.name if event.actor_organisation else "",
            event.submission.pk if event.submission else None,
            event.product.model_number if event.product else "",
            event.product.manufacturer.name if event.product else "",
            audit_certificate_number(event),
            facts.get("decision"),
            facts.get("reason"),
            facts.get("sha256"),
            facts.get("pdf_sha256"),
            json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True),
        ]
