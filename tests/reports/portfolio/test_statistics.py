"""The statistics: each figure's numbers (SQL aggregates) in the API, and the page's pictures in
both languages."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from reports.portfolio import charts, selectors, statistics

pytestmark = pytest.mark.django_db


def figures(api, cast, query=""):
    response = api(cast["regulator"]).get(f"{reverse('api-portfolio-statistics')}{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_generated_column_holds_the_highest_weight_loss(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT submission_id, weight_loss_max_pct FROM certification_evaluation "
            "ORDER BY submission_id"
        )
        got = dict(cursor.fetchall())
    assert {k: (str(v) if v is not None else None) for k, v in got.items()} == {
        world.certified.pk: "0.2", world.refused.pk: "3.1", world.failed.pk: None,
    }  # fmt: skip


def test_weight_loss_against_the_limit_of_each_rule_set(api, cast, world):
    weight_loss = figures(api, cast)["weight_loss"]
    name = f"{world.ruleset.code}@{world.ruleset.version}"
    assert weight_loss["limits"] == [{"ruleset": name, "comparator": "<=", "max_loss_pct": 0.5}]
    assert sorted(
        (p["claimed_class"], p["max_loss_pct"], p["count"], p["over_limit"])
        for p in weight_loss["points"]
    ) == [("all_solid_state", 0.2, 1, False), ("all_solid_state", 3.1, 1, True)]
    # A product claimed all-solid-state whose weight loss says otherwise stands out.
    assert weight_loss["over_limit_by_claimed_class"] == {"all_solid_state": 1}


def test_pass_rates_decisions_and_times(api, cast, world):
    data = figures(api, cast)
    assert {r["name"]: (r["evaluated"], r["certifiable"]) for r in data["pass_rate_by_lab"]} == {
        "Tianjin Battery Test Centre": (1, 1), "Shenzhen Test Lab": (1, 0),
    }  # fmt: skip
    makers = {r["name"]: r["pass_rate"] for r in data["pass_rate_by_maker"]}
    assert makers == {"Qingdao Solid Cells": 1.0, "Other Cells Co": 0.0}
    assert sorted((r["reviewer"], r["decision"], r["count"])
                  for r in data["decisions_per_reviewer"]) == [
        ("reviewer", "approve", 1), ("reviewer", "reject", 1), ("reviewer2", "approve", 1),
    ]  # fmt: skip
    times = data["time_to_decision"]
    assert sorted((r["days"], r["decision"], r["count"]) for r in times["histogram"]) == [
        (3, "approve", 2), (10, "reject", 1),
    ]  # fmt: skip
    assert times["median_days"] == {"approve": 3.0, "reject": 10.0}


def test_certificates_by_status_at_each_month_end(api, cast, world):
    series = figures(api, cast)["certificates_by_status"]
    counts = {(r["month"], r["status"]): r["count"] for r in series if r["count"]}
    assert counts == {("2026-03-01", "valid"): 1, ("2026-04-01", "suspended"): 1}


def test_the_statistics_follow_the_filters(api, cast, orgs, world):
    data = figures(api, cast, f"?maker={orgs['other_maker'].pk}")
    assert [r["name"] for r in data["pass_rate_by_maker"]] == ["Other Cells Co"]
    assert [(r["reviewer"], r["decision"]) for r in data["decisions_per_reviewer"]] == [
        ("reviewer", "reject")
    ]
    assert data["certificates_by_status"] == []
    assert figures(api, cast, "?from=2030-01-01")["weight_loss"]["points"] == []


def test_statistics_aggregate_in_a_fixed_number_of_queries(
    cast, world, django_assert_max_num_queries
):
    sets = {k: f.qs for k, f in selectors.statistics_filtersets(cast["regulator"], {}).items()}
    # Six GROUP BYs and the names of rule sets, organisations and reviewers, in one transaction.
    with django_assert_max_num_queries(12):
        statistics.portfolio_statistics(**sets)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_draws_every_picture_in_each_language(client, cast, world, language):
    client.force_login(cast["regulator"])
    response = client.get(reverse("portfolio-statistics"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{language}"' in html
    assert "vendor/vega/vega-bundle.js" in html and "js/charts.js" in html
    for picture in response.context["pictures"]:
        assert f'id="{picture["id"]}"' in html
    assert len(response.context["pictures"]) == 6
    assert response.context["over_limit"][0]["count"] == 1


def test_every_specification_renders_to_svg(api, cast, world):
    # The same specifications a document would print (vl-convert, as the evaluation report).
    from reports.evaluation_report import chart_svg

    data = figures(api, cast)
    for picture in charts.statistics_charts(data):
        svg = chart_svg(json.loads(json.dumps(picture["spec"])))
        assert svg.startswith("<svg"), picture["id"]


def test_the_figures_of_a_set_of_filters_are_kept_a_minute(
    api, cast, orgs, world, django_assert_num_queries
):
    first = figures(api, cast)
    assert first["computed_at"]
    regulator = api(cast["regulator"])
    regulator.get(reverse("api-portfolio-submissions"))  # the token's first use, before counting
    # Kept: the second request reads the token (with its user), and nothing of the portfolio.
    with django_assert_num_queries(1):
        again = regulator.get(reverse("api-portfolio-statistics")).json()
    assert again == first
    # The same for every auditor, and per set of filters.
    assert figures(api, {"regulator": cast["reviewer"]}) == first
    other = figures(api, cast, f"?maker={orgs['other_maker'].pk}")
    assert other["computed_at"] >= first["computed_at"] and other != first


def test_the_page_says_when_the_figures_were_computed(client, cast, world):
    client.force_login(cast["regulator"])
    html = client.get(reverse("portfolio-statistics")).content.decode()
    assert 'id="statistics-computed"' in html
