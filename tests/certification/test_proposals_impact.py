"""Impact analysis: every current certificate's stored evidence re-evaluated under a proposal by
the worker, read-only; the certificates whose class, certifiability or labels would change,
beside today's result; durable like an evaluation (the row is the hand-off)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from certification import services
from certification.csvfile import csv_lines
from certification.exceptions import InvalidTransition, NotPermitted
from certification.models import AuditEvent, Dataset, Evaluation, RuleSetImpact, Submission
from certification.services.impact import impact_csv_header, impact_csv_rows
from reports.models import Certificate
from tests.stored import replace_stored

from .proposing import SAME, analysed, certify, propose

pytestmark = pytest.mark.django_db


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


@pytest.fixture
def three_certificates(product, orgs, cast, submission):
    """A valid and a suspended certificate (current), and a revoked one (not current)."""

    def another():
        return Submission.objects.create(
            product=product, claimed_class="all_solid_state", lab=orgs["lab"],
            created_by=cast["maker"],
        )  # fmt: skip

    return [
        certify(submission, cast),
        certify(another(), cast, status="suspended"),
        certify(another(), cast, status="revoked"),
    ]


def test_the_analysis_lists_each_current_certificate_that_would_change(cast, three_certificates):
    valid, suspended, _revoked = three_certificates
    ruleset = propose(cast["regulator"])
    certificates, evaluations = rows(Certificate), rows(Evaluation)
    datasets = rows(Dataset)
    analysis = analysed(cast["regulator"], ruleset)
    assert analysis.status == "done" and analysis.progress == 100
    assert (analysis.examined, analysis.total) == (2, 2)
    assert analysis.counts == {
        "examined": 2, "changed": 2, "class": 2, "certifiable": 0, "label": 2, "unreadable": 0,
    }  # fmt: skip
    assert [row["certificate"] for row in analysis.changes] == [valid.number, suspended.number]
    row = analysis.changes[0]
    assert row["certificate_status"] == "valid" and row["changes"] == ["class", "label"]
    assert row["today"]["determined_class"] == "all_solid_state"
    assert row["proposed"]["determined_class"] == "hybrid_solid_liquid"
    assert row["today"]["certifiable"] and row["proposed"]["certifiable"]
    assert "全固态电池" in row["today"]["permitted_labels"]["zh"]
    assert row["proposed"]["permitted_labels"]["en"] == ["hybrid solid-liquid battery"]
    # Nothing was touched.
    assert rows(Certificate) == certificates
    assert rows(Evaluation) == evaluations
    assert rows(Dataset) == datasets
    actions = list(AuditEvent.objects.filter(action__startswith="ruleset.").values_list("action"))
    assert actions == [
        ("ruleset.proposed",),
        ("ruleset.impact_requested",),
        ("ruleset.impact_finished",),
    ]


def test_a_proposal_that_changes_no_outcome_lists_nothing(cast, three_certificates):
    analysis = analysed(cast["reviewer"], propose(cast["reviewer"], SAME))
    assert analysis.counts["examined"] == 2 and analysis.counts["changed"] == 0
    assert analysis.changes == []


def test_the_export_has_today_and_the_proposal_side_by_side(cast, three_certificates):
    analysis = analysed(cast["regulator"], propose(cast["regulator"]))
    text = b"".join(csv_lines(impact_csv_header(), impact_csv_rows(analysis))).decode()
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][:2] == ["Certificate", "Status"]
    assert table[1][0] == three_certificates[0].number
    assert table[1][5] == "class label"
    assert (table[1][6], table[1][7]) == ("all_solid_state", "hybrid_solid_liquid")


def test_a_certificate_whose_files_changed_is_listed_as_unreadable(cast, three_certificates):
    valid = three_certificates[0]
    stored = valid.submission.datasets.first()
    replace_stored(stored.file.name, b"sample_id,mass_before_g\n")  # behind the portal's back
    analysis = analysed(cast["regulator"], propose(cast["regulator"]))
    assert analysis.counts["unreadable"] == 1 and analysis.counts["changed"] == 1
    row = next(r for r in analysis.changes if r["certificate"] == valid.number)
    assert row["proposed"] is None and row["error"]


def test_asking_twice_while_one_runs_gives_the_same_analysis(cast):
    ruleset = propose(cast["regulator"])
    first = services.impact_request(user=cast["regulator"], ruleset=ruleset)
    assert services.impact_request(user=cast["reviewer"], ruleset=ruleset) == first
    assert RuleSetImpact.objects.count() == 1


def test_a_finished_analysis_is_not_run_again(cast, three_certificates):
    analysis = analysed(cast["regulator"], propose(cast["regulator"]))
    again = services.impact_analysis_run(analysis_id=analysis.pk)
    assert again.finished_at == analysis.finished_at
    assert AuditEvent.objects.filter(action="ruleset.impact_finished").count() == 1


def test_a_running_analysis_whose_lease_lapsed_is_run_again(cast, three_certificates):
    ruleset = propose(cast["regulator"])
    analysis = services.impact_request(user=cast["regulator"], ruleset=ruleset)
    RuleSetImpact.objects.filter(pk=analysis.pk).update(
        status="running", lease_expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert services.impact_analysis_run(analysis_id=analysis.pk).status == "running"
    RuleSetImpact.objects.filter(pk=analysis.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.impact_analysis_run(analysis_id=analysis.pk).status == "done"


def test_the_sweep_sends_an_analysis_nobody_took(cast, settings, monkeypatch):
    from portal.celery import app

    ruleset = propose(cast["regulator"])
    analysis = services.impact_request(user=cast["regulator"], ruleset=ruleset)
    old = timezone.now() - dt.timedelta(seconds=settings.HANDOFF_DEADLINE_SECONDS + 5)
    RuleSetImpact.objects.filter(pk=analysis.pk).update(requested_at=old)
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    assert services.impact_analyses_sweep() == 1
    analysis.refresh_from_db()
    assert analysis.status == "done" and analysis.send_count == 1


@pytest.mark.parametrize("who", ["maker", "lab", "automaker", "other_maker", "other_lab"])
def test_only_regulators_and_the_certification_body_analyse(cast, who):
    ruleset = propose(cast["regulator"])
    with pytest.raises(NotPermitted):
        services.impact_request(user=cast[who], ruleset=ruleset)
    assert not RuleSetImpact.objects.exists()


def test_an_active_rule_set_is_not_analysed(cast):
    active = services.ruleset_in_force()
    with pytest.raises(InvalidTransition):
        services.impact_request(user=cast["regulator"], ruleset=active)
