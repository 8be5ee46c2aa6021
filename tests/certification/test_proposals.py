"""Rule-set proposals: stored only when valid, never in force until two reviewers of the
certification body (neither the proposer) approve, and an activation changes no certificate
and no evaluation."""

from __future__ import annotations

import pytest

from certification import services
from certification.exceptions import (
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    RuleSetImmutable,
    RuleSetRefused,
)
from certification.models import AuditEvent, Evaluation, RuleSet, RuleSetApproval, User
from certification.services import rulesets as rulesets_module
from reports.models import Certificate
from tests.conftest import make_user

from .proposing import SAME, STRICTER, V3, analysed, certify, proposal, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer3(orgs):
    return make_user("reviewer3", orgs["cb"], User.Role.REVIEWER)


def fact(event: AuditEvent, name: str):
    """A fact of an audit event: its own column where the audit chain has one, else its detail."""
    return getattr(event, name) if hasattr(event, name) else event.detail[name]


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def test_a_proposal_is_stored_as_uploaded_and_audited(cast):
    ruleset = propose(cast["regulator"])
    assert (ruleset.code, ruleset.version, ruleset.status) == ("gbt-ssb-2026", 4, "proposed")
    assert ruleset.source_text == STRICTER
    assert ruleset.proposed_by == cast["regulator"] and ruleset.activated_at is None
    event = AuditEvent.objects.get(action="ruleset.proposed")
    assert event.actor == cast["regulator"]
    assert event.detail["ruleset"] == ruleset.pk and event.detail["sha256"] == ruleset.sha256


def test_a_proposal_is_never_in_force_until_activated(cast):
    in_force = services.ruleset_in_force()
    propose(cast["reviewer"])  # version 4, in force from 2026-07-01 like version 3
    assert services.ruleset_in_force() == in_force
    assert services.ruleset_in_force().version == 3


def test_loading_the_shipped_files_leaves_a_proposal_alone(cast):
    ruleset = propose(cast["regulator"])
    report = services.rulesets_sync()
    assert all(version != 4 for _code, version, _what in report)
    ruleset.refresh_from_db()
    assert ruleset.status == "proposed" and ruleset.source_text == STRICTER
    assert services.ruleset_in_force().version == 3


def test_a_shipped_file_does_not_activate_a_proposal_of_its_version(cast, tmp_path, monkeypatch):
    ruleset = propose(cast["regulator"])
    same = tmp_path / "gbt-ssb-2026.v4.toml"
    same.write_text(STRICTER, encoding="utf-8")
    monkeypatch.setattr(rulesets_module, "ruleset_files", lambda: [same])
    assert services.rulesets_sync() == [("gbt-ssb-2026", 4, "proposed")]
    ruleset.refresh_from_db()
    assert ruleset.status == "proposed"
    same.write_text(STRICTER.replace("value = 0.1", "value = 0.2", 1), encoding="utf-8")
    with pytest.raises(RuleSetImmutable, match="is a proposal uploaded in the portal"):
        services.rulesets_sync()
    ruleset.refresh_from_db()
    assert ruleset.source_text == STRICTER


REFUSED = [
    pytest.param(V3.encode(), "version: rule set gbt-ssb-2026 version 3 already exists", id="dup"),
    pytest.param(b"code = [", "(file): not valid TOML", id="malformed"),
    pytest.param(
        proposal(4, ("version = 4", 'version = "4"')).encode(), "version: must be", id="type"
    ),
    pytest.param(
        proposal(4, ('source = "gbt-8170"', 'source = "hearsay"')).encode(),
        "comparison.source: unknown source 'hearsay'",
        id="unknown source",
    ),
    pytest.param(
        proposal(4, ("min = 5, max = 20", "min = 5, max = 21")).encode(),
        "classes.hybrid_solid_liquid.content_pct: overlaps classes.liquid.content_pct",
        id="overlapping bands",
    ),
    pytest.param(b"\xff\xfe\x00c", "(file): not UTF-8 text", id="not utf-8"),
    pytest.param(b"   \n", "(file): the file is empty", id="empty"),
    pytest.param(STRICTER.encode() + b"#" * (256 * 1024), "(file): the file has", id="oversize"),
]


@pytest.mark.parametrize(("content", "message"), REFUSED)
def test_a_bad_proposal_is_refused_with_its_path_and_nothing_is_stored(cast, content, message):
    rulesets, events = rows(RuleSet), AuditEvent.objects.count()
    with pytest.raises(RuleSetRefused) as caught:
        services.ruleset_propose(user=cast["reviewer"], content=content)
    assert caught.value.message.startswith(message)
    assert caught.value.errors[0].column == message.split(":")[0]
    assert rows(RuleSet) == rulesets and AuditEvent.objects.count() == events


def test_a_proposal_may_not_reuse_another_proposals_version(cast):
    propose(cast["regulator"])
    with pytest.raises(RuleSetRefused, match="^version: rule set gbt-ssb-2026 version 4"):
        propose(cast["reviewer"])
    assert RuleSet.objects.filter(version=4).count() == 1


@pytest.mark.parametrize("who", ["maker", "lab", "automaker", "other_maker", "other_lab"])
def test_only_regulators_and_the_certification_body_propose(cast, who):
    with pytest.raises(NotPermitted):
        propose(cast[who])
    assert not RuleSet.objects.filter(version=4).exists()


def test_two_reviewers_other_than_the_proposer_activate_a_proposal(cast, reviewer3):
    ruleset = propose(cast["reviewer"])
    analysed(cast["regulator"], ruleset)
    with pytest.raises(NotPermitted, match="You proposed this rule set"):
        services.ruleset_approve(user=cast["reviewer"], ruleset=ruleset, reason="mine")
    services.ruleset_approve(user=cast["reviewer2"], ruleset=ruleset, reason="Checked the text.")
    ruleset.refresh_from_db()
    assert ruleset.status == "proposed"
    with pytest.raises(NotPermitted, match="You already approved"):
        services.ruleset_approve(user=cast["reviewer2"], ruleset=ruleset, reason="again")
    services.ruleset_approve(user=reviewer3, ruleset=ruleset, reason="Impact reviewed.")
    ruleset.refresh_from_db()
    assert ruleset.status == "active" and ruleset.activated_at is not None
    assert services.ruleset_in_force().pk == ruleset.pk
    approved = AuditEvent.objects.filter(action="ruleset.approved").order_by("pk")
    assert [e.actor for e in approved] == [cast["reviewer2"], reviewer3]
    activated = AuditEvent.objects.get(action="ruleset.activated")
    assert activated.detail["approvers"] == ["reviewer2", "reviewer3"]
    assert (fact(activated, "before"), fact(activated, "after")) == ("proposed", "active")
    assert fact(approved[1], "reason") == "Impact reviewed."
    with pytest.raises(InvalidTransition):
        services.ruleset_approve(user=cast["reviewer"], ruleset=ruleset, reason="late")


def test_a_regulators_proposal_is_activated_by_two_reviewers(cast):
    ruleset = propose(cast["regulator"])
    analysed(cast["regulator"], ruleset)
    services.ruleset_approve(user=cast["reviewer"], ruleset=ruleset, reason="ok")
    services.ruleset_approve(user=cast["reviewer2"], ruleset=ruleset, reason="ok")
    ruleset.refresh_from_db()
    assert ruleset.status == "active"


@pytest.mark.parametrize("who", ["regulator", "maker", "lab", "automaker"])
def test_nobody_outside_the_certification_bodys_reviewers_approves(cast, who):
    ruleset = propose(cast["reviewer"])
    analysed(cast["reviewer"], ruleset)
    with pytest.raises(NotPermitted):
        services.ruleset_approve(user=cast[who], ruleset=ruleset, reason="ok")
    assert not RuleSetApproval.objects.exists()


def test_approving_needs_a_reason_and_a_finished_impact_analysis(cast):
    ruleset = propose(cast["regulator"])
    with pytest.raises(InvalidTransition, match="Run the impact analysis first"):
        services.ruleset_approve(user=cast["reviewer"], ruleset=ruleset, reason="ok")
    analysed(cast["regulator"], ruleset)
    with pytest.raises(InvalidInput, match="Give a reason"):
        services.ruleset_approve(user=cast["reviewer"], ruleset=ruleset, reason="  ")
    assert not RuleSetApproval.objects.exists()
    assert not AuditEvent.objects.filter(action="ruleset.approved").exists()


def test_an_activation_changes_no_certificate_and_no_evaluation(cast, submission):
    certify(submission, cast)
    ruleset = propose(cast["regulator"])
    analysed(cast["regulator"], ruleset)
    certificates, evaluations = rows(Certificate), rows(Evaluation)
    services.ruleset_approve(user=cast["reviewer"], ruleset=ruleset, reason="ok")
    services.ruleset_approve(user=cast["reviewer2"], ruleset=ruleset, reason="ok")
    assert RuleSet.objects.get(pk=ruleset.pk).status == "active"
    assert rows(Certificate) == certificates
    assert rows(Evaluation) == evaluations


def test_a_proposal_that_changes_nothing_is_activated_the_same_way(cast):
    ruleset = propose(cast["regulator"], SAME)
    assert analysed(cast["regulator"], ruleset).counts["changed"] == 0
    services.ruleset_approve(user=cast["reviewer"], ruleset=ruleset, reason="ok")
    services.ruleset_approve(user=cast["reviewer2"], ruleset=ruleset, reason="ok")
    assert RuleSet.objects.get(pk=ruleset.pk).status == "active"
