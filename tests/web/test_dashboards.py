"""What each role finds on its dashboard."""

from __future__ import annotations

import pytest

from certification import services
from tests.conftest import upload_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(cast, orgs, product):
    submission = services.submission_create(
        user=cast["maker"], product=product, claimed_class="all_solid_state", lab=orgs["lab"]
    )
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)
    return submission


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_maker_sees_its_products_and_submissions(client, cast, submission):
    page = _dashboard(client, cast["maker"])
    assert "Your products" in page and "QS-21700-SSB" in page
    assert f'href="/submissions/{submission.pk}/"' in page
    assert 'href="/products/new/"' in page


def test_another_maker_sees_none_of_them(client, cast, submission):
    page = _dashboard(client, cast["other_maker"])
    assert "QS-21700-SSB" not in page
    assert f'href="/submissions/{submission.pk}/"' not in page


def test_the_lab_sees_its_assigned_submissions_only(client, cast, submission):
    assert f'href="/submissions/{submission.pk}/"' in _dashboard(client, cast["lab"])
    page = _dashboard(client, cast["other_lab"])
    assert f'href="/submissions/{submission.pk}/"' not in page
    assert "No submission is assigned to your laboratory." in page


@pytest.mark.parametrize("role", ["reviewer", "reviewer2", "regulator"])
def test_reviewers_and_regulators_see_submitted_work_not_drafts(
    client, cast, submission, submitted, role
):
    page = _dashboard(client, cast[role])
    assert "Submitted submissions" in page
    assert f'href="/submissions/{submitted.pk}/"' in page
    assert f'href="/submissions/{submission.pk}/"' not in page


def test_the_automaker_is_led_to_verification_and_its_watchlist(client, cast, submitted):
    page = _dashboard(client, cast["automaker"])
    assert 'href="/verify/"' in page
    assert 'href="/watchlist/"' in page
    assert "/submissions/" not in page
