"""The certificate list, the watchlist and the webhooks cost as many queries for 30 rows as for 3,
from every role that sees them."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from certification.models import Organisation, Product
from reports.models import Certificate, CertificateEvent, WatchedCertificate, WebhookEndpoint
from tests.conftest import PRODUCT_FIELDS, make_org, make_user
from tests.reports.conftest import make_many_certificates

pytestmark = pytest.mark.django_db

C = Certificate.Status
Kind = Organisation.Kind
FEW, MANY = 3, 30
# Whose certificates: the products of two makers, tested by two labs.
HOLDERS_AND_LABS = [
    ("maker", "lab"),
    ("maker", "other_lab"),
    ("other_maker", "lab"),
    ("other_maker", "other_lab"),
]
# session, user (with organisation), the certificates (with product, holder, lab)
PAGE_QUERIES = 3
# token (with user and organisation), count, the page, the events (with their actors)
API_QUERIES = 4
# An automaker sees no certificate here (it verifies them by number): no page to read, so
# session and user (with organisation) on the page, the token (with both) in the API.
AUTOMAKER_PAGE_QUERIES = 2
AUTOMAKER_API_QUERIES = 1
# session, user (with organisation), the entries with their certificates, their public records
WATCHLIST_PAGE_QUERIES = 4
# token (with user and organisation), count, the entries, their public records
WATCHLIST_API_QUERIES = 4
# session, user (with organisation), the endpoints
WEBHOOK_PAGE_QUERIES = 3
# token (with user and organisation), count, the endpoints
WEBHOOK_API_QUERIES = 3


@pytest.fixture
def products(product, orgs, cast):
    other = Product.objects.create(
        manufacturer=orgs["other_maker"],
        created_by=cast["other_maker"],
        **{**PRODUCT_FIELDS, "model_number": "OC-4680-SSB", "name": "Other sulfide cell"},
    )
    return {"maker": product, "other_maker": other}


@pytest.fixture
def add_certificates(products, orgs, cast):
    """``add_certificates(n)`` adds ``n`` more certificates, dealt in turn to each maker and lab.

    Each was issued by the portal, suspended by one reviewer and reinstated by the other; of each
    product's new certificates, every other one is then superseded by the next.
    """
    turns = itertools.cycle(HOLDERS_AND_LABS)

    def add(count: int) -> None:
        new: list[str] = []
        for (maker, lab), n in Counter(itertools.islice(turns, count)).items():
            new += make_many_certificates(products[maker], orgs[lab], cast[maker], n)
        certificates = list(Certificate.objects.filter(number__in=new).order_by("id"))
        events = []
        for certificate in certificates:
            events += [
                CertificateEvent(certificate=certificate, to_status=C.VALID, reason="issued"),
                CertificateEvent(
                    certificate=certificate, from_status=C.VALID, to_status=C.SUSPENDED,
                    actor=cast["reviewer"], reason="cell swelling reported",
                ),
                CertificateEvent(
                    certificate=certificate, from_status=C.SUSPENDED, to_status=C.VALID,
                    actor=cast["reviewer2"], reason="root cause fixed",
                ),
            ]  # fmt: skip
        for product in products.values():
            of_product = [c for c in certificates if c.product_id == product.pk]
            for old, successor in zip(of_product[::2], of_product[1::2], strict=False):
                old.status, old.superseded_by = C.SUPERSEDED, successor
                events.append(
                    CertificateEvent(
                        certificate=old, from_status=C.VALID, to_status=C.SUPERSEDED,
                        reason=f"superseded by {successor.number}",
                    )
                )  # fmt: skip
        Certificate.objects.bulk_update(certificates, ["status", "superseded_by"])
        CertificateEvent.objects.bulk_create(events)

    return add


def visible_count(user) -> int:
    """How many certificates ``user`` should find: its own as holder or testing lab, all of them
    for the certification body and the regulator, none for an automaker."""
    kind, organisation = user.organisation.kind, user.organisation
    if kind == Kind.MANUFACTURER:
        return Certificate.objects.filter(holder=organisation).count()
    if kind == Kind.TEST_LAB:
        return Certificate.objects.filter(submission__lab=organisation).count()
    if kind == Kind.AUTOMAKER:
        return 0
    return Certificate.objects.count()


ROLES = ["maker", "other_maker", "lab", "other_lab", "reviewer", "reviewer2", "regulator"]


@pytest.mark.parametrize("role", [*ROLES, "automaker"])
def test_the_certificate_list_page_costs_the_same_for_30_as_for_3(
    client, cast, add_certificates, django_assert_num_queries, role
):
    client.force_login(cast[role])
    client.get("/certificates/")  # sessions, translations and the like are loaded once
    expected = AUTOMAKER_PAGE_QUERIES if role == "automaker" else PAGE_QUERIES
    for count in (FEW, MANY):
        add_certificates(count - Certificate.objects.count())
        with django_assert_num_queries(expected):
            response = client.get("/certificates/")
        assert response.status_code == 200
        assert response.content.decode().count("data-certificate=") == visible_count(cast[role])
    assert visible_count(cast[role]) > 0 or role == "automaker"


@pytest.mark.parametrize("role", [*ROLES, "automaker"])
def test_the_certificate_list_api_costs_the_same_for_30_as_for_3(
    api, cast, add_certificates, django_assert_num_queries, role
):
    client = api(cast[role])
    expected = AUTOMAKER_API_QUERIES if role == "automaker" else API_QUERIES
    for count in (FEW, MANY):
        add_certificates(count - Certificate.objects.count())
        with django_assert_num_queries(expected):
            response = client.get("/api/v1/certificates/")
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == len(body["results"]) == visible_count(cast[role])
        for row in body["results"]:
            assert [e["by"] for e in row["events"][:3]] == ["portal", "reviewer", "reviewer2"]


def test_the_superseded_certificates_cost_the_same_and_carry_their_history(
    api, cast, add_certificates, django_assert_num_queries
):
    client = api(cast["regulator"])
    for count in (FEW, MANY):
        add_certificates(count - Certificate.objects.count())
        with django_assert_num_queries(API_QUERIES):
            response = client.get("/api/v1/certificates/?status=superseded")
        body = response.json()
        assert body["count"] == Certificate.objects.filter(status=C.SUPERSEDED).count() > 0
        for row in body["results"]:
            assert [(e["to_status"], e["by"]) for e in row["events"]] == [
                ("valid", "portal"),
                ("suspended", "reviewer"),
                ("valid", "reviewer2"),
                ("superseded", "portal"),
            ]


@pytest.fixture
def rival(db):
    """A user of another automaker, which watches the same certificates and has its own hooks."""
    return make_user("rival", make_org("Other Motors", Kind.AUTOMAKER))


@pytest.fixture
def watch_all(cast, rival):
    """``watch_all()``: both automakers watch every certificate not yet on their watchlists."""

    def watch() -> None:
        for user in (cast["automaker"], rival):
            watched = WatchedCertificate.objects.filter(organisation=user.organisation)
            WatchedCertificate.objects.bulk_create(
                WatchedCertificate(
                    organisation=user.organisation, certificate=c, added_by=user,
                    note=f"pack supplier {c.holder_id}",
                )
                for c in Certificate.objects.exclude(pk__in=watched.values("certificate_id"))
            )  # fmt: skip

    return watch


def test_the_watchlist_page_costs_the_same_for_30_entries_as_for_3(
    client, cast, add_certificates, watch_all, django_assert_num_queries
):
    client.force_login(cast["automaker"])
    client.get("/watchlist/")
    for count in (FEW, MANY):
        add_certificates(count - Certificate.objects.count())
        watch_all()
        with django_assert_num_queries(WATCHLIST_PAGE_QUERIES):
            response = client.get("/watchlist/")
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('/remove/"') == count
        assert "was superseded on" in page


def test_the_watchlist_api_costs_the_same_for_30_entries_as_for_3(
    api, cast, add_certificates, watch_all, django_assert_num_queries
):
    client = api(cast["automaker"])
    for count in (FEW, MANY):
        add_certificates(count - Certificate.objects.count())
        watch_all()
        with django_assert_num_queries(WATCHLIST_API_QUERIES):
            response = client.get("/api/v1/watchlist/")
        body = response.json()
        assert body["count"] == len(body["results"]) == count
        successors = [r["certificate"]["superseded_by"] for r in body["results"]]
        assert any(successors)


@pytest.fixture
def add_webhooks(orgs, rival):
    """``add_webhooks(n)``: ``n`` more endpoints of the automaker, every third one deactivated,
    and as many of the rival automaker's."""
    serial = itertools.count(1)

    def add(count: int) -> None:
        WebhookEndpoint.objects.bulk_create(
            WebhookEndpoint(
                organisation=organisation, url=f"https://hooks.example.com/ssb/{i}",
                secret=f"secret-{i}", active=i % 3 != 0,
            )
            for i in itertools.islice(serial, count)
            for organisation in (orgs["automaker"], rival.organisation)
        )  # fmt: skip

    return add


def test_the_webhook_page_costs_the_same_for_30_endpoints_as_for_3(
    client, cast, orgs, add_webhooks, django_assert_num_queries
):
    client.force_login(cast["automaker"])
    client.get("/webhooks/")
    for count in (FEW, MANY):
        add_webhooks(count - WebhookEndpoint.objects.filter(organisation=orgs["automaker"]).count())
        with django_assert_num_queries(WEBHOOK_PAGE_QUERIES):
            response = client.get("/webhooks/")
        assert response.content.decode().count("data-webhook=") == count


def test_the_webhook_api_costs_the_same_for_30_endpoints_as_for_3(
    api, cast, orgs, add_webhooks, django_assert_num_queries
):
    client = api(cast["automaker"])
    for count in (FEW, MANY):
        add_webhooks(count - WebhookEndpoint.objects.filter(organisation=orgs["automaker"]).count())
        with django_assert_num_queries(WEBHOOK_API_QUERIES):
            response = client.get("/api/v1/webhooks/")
        assert response.json()["count"] == count
