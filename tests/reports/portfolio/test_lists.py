"""The lists: what each filter selects, sorting, pages, and bad values (400 from the API, a form
error on the page, nothing else)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ids(response, key="id"):
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


def test_the_submissions_an_auditor_sees_are_every_submitted_one(api, cast, world):
    got = ids(api(cast["regulator"]).get(reverse("api-portfolio-submissions")))
    # Newest submitted first; the draft is the maker's and lab's work in progress.
    assert got == [world.failed.pk, world.refused.pk, world.certified.pk]


def test_a_submission_row_carries_its_current_evaluation_and_certificate(api, cast, world):
    response = api(cast["regulator"]).get(reverse("api-portfolio-submissions"))
    row = next(r for r in response.json()["results"] if r["id"] == world.certified.pk)
    assert row["maker"] == "Qingdao Solid Cells"
    assert row["lab"] == "Tianjin Battery Test Centre"
    assert row["determined_class"] == "all_solid_state"
    assert row["outcome"] == "certifiable"
    assert (row["ruleset_code"], row["ruleset_version"]) == (
        world.ruleset.code, world.ruleset.version,
    )  # fmt: skip
    assert row["certificate"] == world.certificate.number


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("maker={maker}", ["failed", "certified"]),
        ("lab={other_lab}", ["failed", "refused"]),
        ("claimed_class=hybrid_solid_liquid", ["failed"]),
        ("determined_class=hybrid_solid_liquid", ["refused"]),
        ("outcome=certifiable", ["certified"]),
        ("outcome=not_certifiable", ["refused"]),
        ("outcome=error", ["failed"]),
        ("reviewer={reviewer2}", ["certified"]),
        ("reviewer={reviewer}", ["refused", "certified"]),
        ("ruleset={ruleset}", ["failed", "refused", "certified"]),
        ("ruleset={older}", []),
        ("from=2026-03-03&to=2026-03-03", ["refused"]),
        ("from=2026-03-04", ["failed"]),
        ("maker={maker}&outcome=certifiable", ["certified"]),
        ("ordering=submitted", ["certified", "refused", "failed"]),
        ("ordering=-maker,submitted", ["certified", "failed", "refused"]),
    ],
)
def test_each_filter_of_the_submission_list(api, cast, orgs, world, query, expected):
    query = query.format(
        maker=orgs["maker"].pk, other_lab=orgs["other_lab"].pk,
        reviewer=cast["reviewer"].pk, reviewer2=cast["reviewer2"].pk,
        ruleset=f"{world.ruleset.code}@{world.ruleset.version}",
        older=f"{world.ruleset.code}@{world.ruleset.version - 1}",
    )  # fmt: skip
    got = ids(api(cast["regulator"]).get(f"{reverse('api-portfolio-submissions')}?{query}"))
    assert got == [getattr(world, name).pk for name in expected]


def test_the_other_lists_filter_by_the_same_facts(api, cast, orgs, world):
    regulator = api(cast["regulator"])
    evaluations = reverse("api-portfolio-evaluations")
    got = ids(regulator.get(f"{evaluations}?outcome=not_certifiable"), "submission_id")
    assert got == [world.refused.pk]
    got = ids(regulator.get(f"{evaluations}?reviewer={cast['reviewer2'].pk}"), "submission_id")
    assert got == [world.certified.pk]
    decisions = reverse("api-portfolio-decisions")
    assert len(ids(regulator.get(f"{decisions}?reviewer={cast['reviewer'].pk}"))) == 2
    got = ids(regulator.get(f"{decisions}?decision=reject"), "submission_id")
    assert got == [world.refused.pk]
    got = ids(regulator.get(f"{decisions}?maker={orgs['maker'].pk}&ordering=reviewer"), "reviewer")
    assert got == ["reviewer", "reviewer2"]
    certificates = reverse("api-portfolio-certificates")
    assert ids(regulator.get(f"{certificates}?status=suspended"), "number") == [
        world.certificate.number
    ]
    assert ids(regulator.get(f"{certificates}?maker={orgs['other_maker'].pk}"), "number") == []
    assert ids(regulator.get(f"{certificates}?reviewer={cast['reviewer2'].pk}"), "number") == [
        world.certificate.number
    ]


def test_pages_of_the_api(api, cast, world):
    response = api(cast["regulator"]).get(f"{reverse('api-portfolio-submissions')}?page_size=2")
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(api(cast["regulator"]).get(body["next"]).json()["results"]) == 1


BAD = [
    ("maker=abc", "maker"),
    ("maker=999999", "maker"),
    ("maker={lab}", "maker"),  # a lab is no manufacturer
    ("lab=1.5", "lab"),
    ("claimed_class=solid", "claimed_class"),
    ("determined_class=%00", "determined_class"),
    ("outcome=maybe", "outcome"),
    ("reviewer={maker_user}", "reviewer"),  # not a reviewer
    ("ruleset=gbt-ssb-2026@99", "ruleset"),
    ("ruleset=@", "ruleset"),
    ("from=2026-02-30", "from"),
    ("from=yesterday", "from"),
    ("to=99999-01-01", "to"),
    ("from=2026-03-05&to=2026-03-01", "to"),
    ("ordering=password", "ordering"),
    ("status=sideways", "status"),
    ("outcome=", "outcome"),  # sent without a value
]


@pytest.mark.parametrize(("query", "field"), BAD)
def test_a_bad_filter_is_a_400_naming_it(api, cast, orgs, world, query, field):
    query = query.format(lab=orgs["lab"].pk, maker_user=cast["maker"].pk)
    for name in ("submissions", "certificates") if field == "status" else (
        "submissions", "evaluations", "decisions", "certificates",
    ):  # fmt: skip
        for suffix in ("", "-csv", "-json"):
            url = reverse(f"api-portfolio-{name}{suffix}")
            response = api(cast["regulator"]).get(f"{url}?{query}")
            assert response.status_code == 400, (url, query)
            body = response.json()
            assert field in str(body["errors"]) or field in str(body), body
    if field not in ("status", "ordering"):
        response = api(cast["regulator"]).get(f"{reverse('api-portfolio-statistics')}?{query}")
        assert response.status_code == 400, query


@pytest.mark.parametrize(("query", "field"), BAD)
def test_a_bad_filter_is_a_form_error_on_the_page(client, cast, orgs, world, query, field):
    query = query.format(lab=orgs["lab"].pk, maker_user=cast["maker"].pk)
    client.force_login(cast["regulator"])
    response = client.get(f"{reverse('portfolio-list', args=['submissions'])}?{query}")
    assert response.status_code == 200
    if query.endswith("="):
        # A form sends unused fields empty: on the page that is no filter.
        assert response.context["page"] is not None
        return
    assert response.context["page"] is None
    assert field in response.context["filter"].form.errors
    assert 'class="field-error"' in response.content.decode()
    if field not in ("status", "ordering"):
        page = client.get(f"{reverse('portfolio-statistics')}?{query}")
        assert page.status_code == 200 and page.context["figures"] is None


def test_the_page_lists_rows_with_labels_links_and_downloads(client, cast, world):
    client.force_login(cast["regulator"])
    response = client.get(f"{reverse('portfolio-list', args=['submissions'])}?outcome=error&to=")
    html = response.content.decode()
    assert response.context["page"].paginator.count == 1
    assert reverse("portfolio-history", args=[world.failed.pk]) in html
    assert "Evaluation error" in html and "Hybrid" in html or "hybrid" in html.lower()
    assert f"{reverse('api-portfolio-submissions-csv')}?outcome=error" in html
    assert f"{reverse('api-portfolio-submissions-json')}?outcome=error" in html
