"""Every timestamp the API and the JSON documents give is in the portal's time zone with its
offset (certification/timestamps.py): DRF's fields, dicts rendered by the API's encoder and
payloads written by hand alike.

The one exception is a signed statement (an audit checkpoint, a credential): its fields are
what was signed, in UTC as those formats expect, and a reader compares them byte for byte."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone

from reports import audit_checkpoints, watchlist, webhooks
from reports.models import Certificate
from tests.reports.conftest import HookServer, change_status, eager_celery, make_certificate  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def moments(value, path="") -> list[tuple[str, str]]:
    """Every (place, string) in a JSON value that is a date with a time."""
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in moments(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [m for i, v in enumerate(value) for m in moments(v, f"{path}[{i}]")]
    if isinstance(value, str) and MOMENT.match(value):
        return [(path, value)]
    return []


def portal_offset() -> str:
    return timezone.localtime(timezone.now()).isoformat()[-6:]


@pytest.fixture
def world(cast, orgs, product, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    certificate = make_certificate(product, orgs["lab"], cast["maker"])
    watchlist.watch_add(user=cast["automaker"], number=certificate.number)
    with HookServer([200]) as hook:
        endpoint, _secret = webhooks.webhook_create(user=cast["automaker"], url=hook.url)
        change_status(
            cast["reviewer"],
            certificate,
            Certificate.Status.SUSPENDED,
            "audit",
            django_capture_on_commit_callbacks,
        )
    audit_checkpoints.checkpoint_publish()
    return {"certificate": certificate, "endpoint": endpoint, "hook": hook}


def test_every_api_timestamp_is_in_the_portals_zone(api, cast, world):
    offset = portal_offset()
    assert offset != "+00:00" or timezone.get_current_timezone_name() == "UTC"
    number, endpoint = world["certificate"].number, world["endpoint"].pk
    reads = {
        "automaker": [
            "/api/v1/watchlist/",
            "/api/v1/watchlist/changes/",
            "/api/v1/webhooks/",
            f"/api/v1/webhooks/{endpoint}/deliveries/",
            "/api/v1/auth/tokens/",
        ],
        "maker": [
            "/api/v1/certificates/",
            f"/api/v1/certificates/{number}/",
            "/api/v1/submissions/",
        ],
        "regulator": ["/api/v1/audit/", "/api/v1/portfolio/certificates/"],
    }
    found = []
    for role, paths in reads.items():
        client = api(cast[role])
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.content[:300])
            found += [(path, *m) for m in moments(answer.json())]
    assert len({p for p, *_m in found}) >= 6, found  # the test saw timestamps in most answers
    wrong = [m for m in found if not m[2].endswith(offset)]
    assert wrong == []


def test_a_webhooks_payload_too(world):
    body = json.loads(world["hook"].requests[0]["body"])
    assert body["created"].endswith(portal_offset())


def test_a_checkpoint_gives_the_moment_it_signed(api, cast, world):
    # A signed statement is the exception: its `at` is the signed payload's, in UTC.
    checkpoint = api(cast["regulator"]).get("/api/v1/audit/checkpoints/").json()["results"][0]
    assert checkpoint["at"].endswith("Z")


def test_the_submission_pages_evaluation_poll_too(client, cast, submission):
    from tests.web.reviewing import evaluate

    evaluate(submission, cast)
    client.force_login(cast["maker"])
    data = json.loads(client.get(f"/submissions/{submission.pk}/evaluation.json").content)
    found = moments(data)
    assert found and all(value.endswith(portal_offset()) for _place, value in found)
