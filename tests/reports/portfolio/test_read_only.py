"""A regulator reads everything and changes nothing: every route of the portal, page and API
(walked from the URL configuration, so a new route is covered the day it is added), is sent
POST, PUT, PATCH and DELETE as a regulator. Each answers 403, 404 or 405, and no row of any table
of the portal changes (a digest of every table's rows before and after).

Exceptions, each for a reason:
- ``OWN_ACCOUNT`` (and any route named with "account"): the regulator's own session, language,
  password, preferences and API tokens: they may
  answer anything and record an audit event (a token the regulator makes for itself), nothing
  else;
- ``READS_BY_POST_WORDS``: routes that read with a POST body (bulk verification, checking a document)
  and the re-run of an evaluation an auditor may ask for: they may answer 200 or 400, and may
  add an audit event saying they ran, nothing else;
- ``REGULATOR_MAY_WORDS``: what issue 8 lets a regulator do besides reading: propose a rule set and run
  its impact analysis (which change no certificate), publish a signed checkpoint of the log.
The Django admin (``/admin/``) is left out: a regulator is not staff, and every admin route sends
a non-staff user to the admin sign-in.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from certification.models import ApiToken, Dataset
from reports.models import WatchedCertificate, WebhookEndpoint
from tests.conftest import token_key

pytestmark = pytest.mark.django_db

METHODS = ("post", "put", "patch", "delete")
REFUSED = {403, 404, 405}
OWN_ACCOUNT = {
    "login", "logout", "set_language", "account", "account-token-create", "account-token-revoke",
    "api-token", "api-password", "api-token-mine-list", "api-token-mine-detail",
}  # fmt: skip
# Reads with a POST body (bulk verification, a document to check) and the re-runs an auditor may
# ask for (reproduce an evaluation, what-if under another rule set), by words in their names.
READS_BY_POST_WORDS = ("verify", "reproduce", "whatif")
# Rule-set proposals (and their impact analysis), and signed checkpoints of the audit log published
# on demand (a statement about the record): by the words in their routes' names, page and API.
REGULATOR_MAY_WORDS = ("proposal", "checkpoint")
# Tables whose rows a request itself touches: the sessions, and the token's last use.
VOLATILE = {"django_session", "certification_apitoken"}


def routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("admin/"):
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                keys = set(getattr(p.pattern, "converters", {}) or {})
                keys |= set(p.pattern.regex.groupindex)
                yield p.name, frozenset(keys)

    return sorted(set(walk(get_resolver().url_patterns)))


def _objects(world, cast, orgs):
    dataset = Dataset.objects.create(
        submission=world.refused, kind="weight_loss", source="lab", organisation=orgs["other_lab"],
        uploaded_by=cast["other_lab"], file="evidence/x.csv", original_name="x.csv",
        size_bytes=1, sha256="0" * 64, file_format="csv",
    )  # fmt: skip
    watch = WatchedCertificate.objects.create(
        organisation=orgs["automaker"], certificate=world.certificate, added_by=cast["automaker"]
    )
    hook = WebhookEndpoint.objects.create(
        organisation=orgs["automaker"], url="https://example.com/hook", secret="s" * 32
    )
    token_key(cast["maker"])
    token = ApiToken.objects.filter(user=cast["maker"]).latest("id")
    evaluation = world.refused.evaluations.get()
    return {
        "dataset": dataset.pk, "watchlist": watch.pk, "webhook": hook.pk, "token": token.pk,
        "evaluation": evaluation.pk, "product": world.refused.product_id,
        "ruleset": world.ruleset.pk, "submission": world.refused.pk,
    }  # fmt: skip


def _pk_for(name: str, ids: dict) -> int:
    for key, words in (
        ("dataset", ("dataset",)), ("watchlist", ("watchlist",)), ("webhook", ("webhook",)),
        ("token", ("token",)), ("evaluation", ("requeue",)), ("product", ("product",)),
        ("ruleset", ("proposal",)),
    ):  # fmt: skip
        if any(word in name for word in words):
            return ids[key]
    return ids["submission"]


def _url(name: str, keys: frozenset, world, ids) -> str:
    values = {
        "pk": _pk_for(name, ids), "number": world.certificate.number, "kind": "weight_loss",
        "file_format": "csv", "kid": "nokey", "listing": "submissions", "format": "json",
    }  # fmt: skip
    # A parameter not known here (a new route's), or one another route types differently (a
    # status list's number): "x" or 1, whichever its converter accepts.
    keys = sorted(keys)
    for choice in itertools.product(*([values.get(k, "x"), 1] for k in keys)):
        try:
            return reverse(name, kwargs=dict(zip(keys, choice, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no URL for {name} with {keys}")


def _body(world, orgs) -> dict:
    """Fields a write route of the portal may want, each with a plausible value."""
    return {
        "status": "revoked", "new_status": "revoked", "reason": "regulator test",
        "decision": "approve", "name": "regulator", "note": "n", "active": "false",
        "url": "https://example.com/hook", "certificate": world.certificate.number,
        "number": world.certificate.number, "numbers": [world.certificate.number],
        "product": world.refused.product_id, "claimed_class": "all_solid_state",
        "lab": orgs["lab"].pk, "kind": "weight_loss", "model_number": "REG-1",
    }  # fmt: skip


def digest() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [t for (t,) in cursor.fetchall() if t not in VOLATILE]
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{t}', md5(coalesce(string_agg(md5(r::text), '' ORDER BY md5(r::text)),"  # noqa: S608 - names from pg_tables
                f" '')) FROM \"{t}\" r"
                for t in tables
            )
        )
        return dict(cursor.fetchall())


def test_a_regulator_changes_nothing_through_any_route(client, api, cast, orgs, world):
    ids = _objects(world, cast, orgs)
    regulator = cast["regulator"]
    client.force_login(regulator)
    token_client = api(regulator)
    token_client.get(reverse("api-portfolio-submissions"))  # the token's first use, before
    checked = []
    for name, keys in routes():
        url = _url(name, keys, world, ids)
        http = token_client if url.startswith("/api/") else client
        for method in METHODS:
            before = digest()
            response = getattr(http, method)(url)
            if response.status_code == 400:
                # Refused for its (empty) body: with a plausible one, the permission must refuse.
                body = _body(world, orgs)
                if http is token_client:
                    response = getattr(http, method)(url, body, format="json")
                else:
                    response = getattr(http, method)(url, body)
            after = digest()
            changed = sorted(t for t in before if before[t] != after[t])
            reads = any(word in name for word in READS_BY_POST_WORDS)
            own = name in OWN_ACCOUNT or "account" in name
            if (reads or own) and changed == ["certification_auditevent"]:
                changed = []
            regulator_may = any(word in name for word in REGULATOR_MAY_WORDS)
            if not regulator_may:
                assert changed == [], (method, url, response.status_code, changed)
            if not own and not reads and not regulator_may:
                assert response.status_code in REFUSED, (method, url, response.status_code)
            checked.append((method, name))
            if name == "logout":
                client.force_login(regulator)
    # Every route was tried with every method (about 130 routes, pages and API).
    assert len(checked) == 4 * len(routes()) > 400


def test_the_digest_sees_a_changed_row(world):
    from certification.models import Submission

    before = digest()
    Submission.objects.filter(pk=world.refused.pk).update(claimed_class="liquid")
    after = digest()
    assert [t for t in before if before[t] != after[t]] == ["certification_submission"]
