"""Every page and every action, from every member of the cast and from an anonymous visitor.

A record outside a user's view answers 404 (even to a user of another organisation of the same
kind); a record the user sees but may not act on answers 403; an anonymous visitor is sent to
the login page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certification import services
from certification.models import Dataset, Submission
from tests.conftest import PRODUCT_FIELDS, upload_all
from tests.web.sheets import WEIGHT_LOSS

pytestmark = pytest.mark.django_db

USERS = (
    "maker",
    "other_maker",
    "lab",
    "other_lab",
    "reviewer",
    "reviewer2",
    "automaker",
    "regulator",
)
LOGIN = "login"  # expected: a redirect to the login page
ANON = "anonymous"


def _sheet() -> SimpleUploadedFile:
    return SimpleUploadedFile("weight-loss.csv", WEIGHT_LOSS.encode())


@pytest.fixture
def world(cast, orgs, product, submission):
    """A draft and a submitted submission of one product, each with a lab sheet, and a second
    product with no submission."""
    draft = submission
    draft_dataset = services.dataset_upload(
        user=cast["lab"], submission=draft, kind="weight_loss", upload=_sheet()
    )
    submitted = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=orgs["lab"]
    )
    submitted_dataset = services.dataset_upload(
        user=cast["lab"], submission=submitted, kind="weight_loss", upload=_sheet()
    )
    # The rest of the evidence the rule set requires before a submission is accepted.
    upload_all(submitted, cast["lab"], kinds=("electrolyte_content", "energy_density", "safety"))
    services.submission_submit(user=cast["maker"], submission=submitted)
    lonely = services.product_create(
        user=cast["maker"], **{**PRODUCT_FIELDS, "model_number": "QS-LONELY"}
    )
    return {
        "product": product,
        "lonely_product": lonely,
        "draft": draft,
        "draft_dataset": draft_dataset,
        "submitted": submitted,
        "submitted_dataset": submitted_dataset,
        "lab_org": orgs["lab"],
    }


@dataclass(frozen=True)
class Page:
    name: str
    url: Any  # world -> str
    expected: dict  # user name (or ANON) -> status or LOGIN
    method: str = "get"
    data: Any = field(default=None)  # world -> dict


def everyone(status, **overrides):
    table = dict.fromkeys(USERS, status)
    table[ANON] = LOGIN
    table.update(overrides)
    return table


def only(status_for: dict, default):
    table = everyone(default)
    table.update(status_for)
    return table


MAKERS_ONLY = only({"maker": 200, "other_maker": 200}, 403)
DRAFT_VIEWERS = only({"maker": 200, "lab": 200}, 404)
SUBMITTED_VIEWERS = only(
    {"maker": 200, "lab": 200, "reviewer": 200, "reviewer2": 200, "regulator": 200}, 404
)


def _product_post(world):
    return {**PRODUCT_FIELDS, "model_number": "QS-NEW", "declared_liquid_electrolyte_pct": "1"}


def _submission_post(world):
    return {
        "product": world["product"].pk,
        "claimed_class": "all_solid_state",
        "lab": world["lab_org"].pk,
    }


def _upload_post(world):
    return {"kind": "weight_loss", "file": _sheet()}


PAGES = [
    # --- pages ---
    Page("dashboard", lambda w: "/", everyone(200)),
    Page("product list", lambda w: "/products/", everyone(200)),
    Page("product register", lambda w: "/products/new/", MAKERS_ONLY),
    Page(
        "product detail",
        lambda w: f"/products/{w['product'].pk}/",
        only({"maker": 200, "lab": 200, "reviewer": 200, "reviewer2": 200, "regulator": 200}, 404),
    ),
    Page(
        "product detail, no submission",
        lambda w: f"/products/{w['lonely_product'].pk}/",
        only({"maker": 200}, 404),
    ),
    Page("open submission", lambda w: "/submissions/new/", MAKERS_ONLY),
    Page("draft detail", lambda w: f"/submissions/{w['draft'].pk}/", DRAFT_VIEWERS),
    Page(
        "draft evaluation json",
        lambda w: f"/submissions/{w['draft'].pk}/evaluation.json",
        DRAFT_VIEWERS,
    ),
    Page(
        "draft evidence download",
        lambda w: f"/datasets/{w['draft_dataset'].pk}/download/",
        DRAFT_VIEWERS,
    ),
    Page("submitted detail", lambda w: f"/submissions/{w['submitted'].pk}/", SUBMITTED_VIEWERS),
    Page(
        "submitted evaluation json",
        lambda w: f"/submissions/{w['submitted'].pk}/evaluation.json",
        SUBMITTED_VIEWERS,
    ),
    Page(
        "submitted evidence download",
        lambda w: f"/datasets/{w['submitted_dataset'].pk}/download/",
        SUBMITTED_VIEWERS,
    ),
    Page("missing submission", lambda w: "/submissions/999999/", everyone(404)),
    Page("sheet template", lambda w: "/sheet-templates/weight_loss.xlsx", everyone(200)),
    Page("unknown sheet template", lambda w: "/sheet-templates/colour.csv", everyone(404)),
    Page("login page", lambda w: "/login/", everyone(302, anonymous=200)),
    # --- actions ---
    Page(
        "register product",
        lambda w: "/products/new/",
        only({"maker": 302, "other_maker": 302}, 403),
        "post",
        _product_post,
    ),
    Page(
        "open submission",
        lambda w: "/submissions/new/",
        # Another maker's product is not a choice on the form: the form says so.
        only({"maker": 302, "other_maker": 400}, 403),
        "post",
        _submission_post,
    ),
    Page(
        "upload to draft",
        lambda w: f"/submissions/{w['draft'].pk}/upload/",
        only({"maker": 302, "lab": 302}, 404),
        "post",
        _upload_post,
    ),
    Page(
        "upload to submitted",
        lambda w: f"/submissions/{w['submitted'].pk}/upload/",
        # The maker and the lab see why on the page; the certification body may not upload.
        only({"maker": 400, "lab": 400, "reviewer": 403, "reviewer2": 403, "regulator": 403}, 404),
        "post",
        _upload_post,
    ),
    Page(
        "upload by GET",
        lambda w: f"/submissions/{w['draft'].pk}/upload/",
        everyone(405),
    ),
    Page(
        "submit draft",
        lambda w: f"/submissions/{w['draft'].pk}/submit/",
        only({"maker": 302, "lab": 403}, 404),
        "post",
    ),
    Page(
        "submit again",
        lambda w: f"/submissions/{w['submitted'].pk}/submit/",
        # The maker is told on the page that an evaluating submission cannot be submitted.
        only({"maker": 302, "lab": 403, "reviewer": 403, "reviewer2": 403, "regulator": 403}, 404),
        "post",
    ),
    Page(
        "withdraw draft evidence",
        lambda w: f"/datasets/{w['draft_dataset'].pk}/withdraw/",
        only({"lab": 302, "maker": 403}, 404),
        "post",
        lambda w: {"reason": "wrong batch"},
    ),
    Page(
        "withdraw submitted evidence",
        lambda w: f"/datasets/{w['submitted_dataset'].pk}/withdraw/",
        only({"lab": 302, "maker": 403, "reviewer": 403, "reviewer2": 403, "regulator": 403}, 404),
        "post",
        lambda w: {"reason": "wrong batch"},
    ),
    Page("log out", lambda w: "/logout/", everyone(302, anonymous=302), "post"),
]

CASES = [
    pytest.param(page, user, page.expected[user], id=f"{page.method} {page.name} as {user}")
    for page in PAGES
    for user in (*USERS, ANON)
]


@pytest.mark.parametrize(("page", "user", "expected"), CASES)
def test_page_access(client: Client, cast, world, page: Page, user, expected):
    if user != ANON:
        client.force_login(cast[user])
    url = page.url(world)
    data = page.data(world) if page.data else None
    response = getattr(client, page.method)(url, data or {})
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:500]
        assert response["Location"].startswith("/login/?next="), response["Location"]
    else:
        assert response.status_code == expected, (
            response.status_code,
            response.get("Location"),
            response.content[:2000],
        )


def test_outsider_actions_change_nothing(client, cast, world):
    client.force_login(cast["other_lab"])
    client.post(f"/submissions/{world['draft'].pk}/upload/", _upload_post(world))
    client.post(f"/datasets/{world['draft_dataset'].pk}/withdraw/", {"reason": "x"})
    client.force_login(cast["other_maker"])
    client.post(f"/submissions/{world['draft'].pk}/submit/")
    assert Dataset.objects.filter(submission=world["draft"]).count() == 1
    assert Dataset.objects.get(pk=world["draft_dataset"].pk).withdrawn_at is None
    assert Submission.objects.get(pk=world["draft"].pk).status == Submission.Status.DRAFT


def test_actions_need_the_csrf_token(cast, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["maker"])
    response = client.post(f"/submissions/{world['draft'].pk}/submit/")
    assert response.status_code == 403
    assert Submission.objects.get(pk=world["draft"].pk).status == Submission.Status.DRAFT


def test_the_login_page_logs_a_user_in(client, cast):
    from tests.conftest import PASSWORD

    response = client.post("/login/", {"username": "lab", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = client.get("/")
    assert "Submissions assigned to your laboratory" in response.content.decode()


def test_a_wrong_password_is_refused_on_the_page(client, cast):
    response = client.post("/login/", {"username": "lab", "password": "wrong"})
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
