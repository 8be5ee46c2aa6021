"""Automakers' webhook endpoints through the API, and which addresses the worker may call.

Only automakers keep endpoints (others: 403, anonymous: 401); an automaker never sees or changes
another automaker's (404). An address is judged by what it reaches, however it is spelt: the
IPv6 spellings of an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by that IPv4
address. Private networks and loopback need WEBHOOK_ALLOW_PRIVATE_TARGETS (DEBUG does not turn
it on); every other special-purpose address is refused whatever the settings.
"""

from __future__ import annotations

import runpy

import pytest

from certification.models import Organisation
from reports import webhooks
from reports.models import WebhookEndpoint
from tests.conftest import make_org, make_user

pytestmark = pytest.mark.django_db

OTHERS = ["maker", "other_maker", "lab", "other_lab", "reviewer", "regulator"]


@pytest.fixture
def rival(orgs):
    """A user of another automaker."""
    return make_user("rival", make_org("Other Motors", Organisation.Kind.AUTOMAKER))


@pytest.fixture(autouse=True)
def _public_hosts(monkeypatch):
    # No DNS in tests: every host name resolves to a public documentation-free address.
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["93.184.215.14"])


# --- webhook endpoints API --------------------------------------------------------------------


def test_an_automaker_manages_webhooks_and_sees_the_secret_once(api, cast):
    client = api(cast["automaker"])
    response = client.post("/api/v1/webhooks/", {"url": "https://hooks.greatwall.example/ssb"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert len(created["secret"]) >= 40 and created["active"] is True
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == created["secret"]
    assert "secret" not in client.get("/api/v1/webhooks/").json()["results"][0]
    url = f"/api/v1/webhooks/{created['id']}/"
    assert "secret" not in client.get(url).json()
    response = client.patch(url, {"active": False})
    assert response.status_code == 200 and response.json()["active"] is False
    response = client.patch(url, {"url": "https://hooks.greatwall.example/v2"})
    assert response.json()["url"] == "https://hooks.greatwall.example/v2"
    assert client.put(url, {"url": "https://x.example/"}).status_code == 405
    assert client.delete(url).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_each_endpoint_gets_its_own_secret(api, cast):
    client = api(cast["automaker"])
    first = client.post("/api/v1/webhooks/", {"url": "https://a.example/h"}).json()["secret"]
    second = client.post("/api/v1/webhooks/", {"url": "https://b.example/h"}).json()["secret"]
    assert first != second


@pytest.mark.parametrize(
    ("url", "message"),
    [("ftp://files.example/h", "http:// or https://"), ("not a url", "Enter a valid URL"),
     ("http://127.0.0.1:8000/hook", "public internet address"),
     ("http://10.1.2.3/hook", "public internet address"),
     ("http://169.254.169.254/latest/meta-data", "public internet address"),
     ("http://a.example:99999/h", "invalid port")],
)  # fmt: skip
def test_a_webhook_must_be_a_public_http_url(api, cast, monkeypatch, url, message):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: [host])
    response = api(cast["automaker"]).post("/api/v1/webhooks/", {"url": url})
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not WebhookEndpoint.objects.exists()


def test_private_hosts_may_be_allowed_by_setting(api, cast, settings, monkeypatch):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: [host])
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    response = api(cast["automaker"]).post("/api/v1/webhooks/", {"url": "http://127.0.0.1:9/h"})
    assert response.status_code == 201


def test_an_unresolvable_host_is_refused(api, cast, monkeypatch):
    def fail(host):
        raise OSError("no such host")

    monkeypatch.setattr(webhooks, "host_addresses", fail)
    response = api(cast["automaker"]).post(
        "/api/v1/webhooks/", {"url": "https://nowhere.invalid/h"}
    )
    assert response.status_code == 400
    assert "cannot be resolved" in response.json()["detail"]


@pytest.mark.parametrize("role", OTHERS)
def test_only_automakers_have_webhooks(api, cast, role):
    endpoint, _ = webhooks.webhook_create(user=cast["automaker"], url="https://a.example/h")
    client = api(cast[role])
    assert client.get("/api/v1/webhooks/").status_code == 403
    assert client.post("/api/v1/webhooks/", {"url": "https://b.example/h"}).status_code == 403
    assert client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"active": False}).status_code == 403
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert api(None).get("/api/v1/webhooks/").status_code == 401
    endpoint.refresh_from_db()
    assert endpoint.active


def test_an_automaker_never_sees_another_automakers_webhooks(api, cast, rival):
    endpoint, _ = webhooks.webhook_create(user=cast["automaker"], url="https://a.example/h")
    client = api(rival)
    assert client.get("/api/v1/webhooks/").json()["count"] == 0
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"active": False}).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.url == "https://a.example/h"


# --- what an address reaches ------------------------------------------------------------------

UNSPECIFIED = "0.0.0.0"  # noqa: S104 -- an address to refuse, not one to listen on
PUBLIC = [
    "93.184.215.14",
    "2606:4700:4700::1111",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "::ffff:8.8.8.8",  # IPv4-mapped 8.8.8.8
    "2001:0:5db8:d70e::f7f7:fbfb",  # Teredo: server 93.184.215.14, client 8.8.4.4
]
PRIVATE = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "::1",
    "fd00::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "2001:0:5db8:d70e::80ff:fffe",  # Teredo: server 93.184.215.14, client 127.0.0.1
]
REFUSED = [
    "169.254.169.254",  # link-local: the cloud metadata service
    UNSPECIFIED,
    "0.1.2.3",
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "192.0.0.8",
    "192.0.2.1",
    "192.88.99.1",
    "198.18.0.1",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::7f00:1",  # IPv4-compatible (deprecated) 127.0.0.1
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",
    "ff02::1",
    "100::1",
    "2001:db8::1",
    "3fff::1",
    "5f00::1",
    "::ffff:169.254.169.254",
    "::ffff:0.0.0.0",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::e000:1",  # NAT64 of 224.0.0.1
    "64:ff9b:1::808:808",  # local-use NAT64: what it reaches cannot be told
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "2002::",  # 6to4 of 0.0.0.0
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo: client 192.0.2.45
]


@pytest.mark.parametrize(
    ("address", "reach"),
    [(a, webhooks.PUBLIC) for a in PUBLIC]
    + [(a, webhooks.PRIVATE) for a in PRIVATE]
    + [(a, webhooks.REFUSED) for a in REFUSED],
)
def test_every_spelling_of_an_address_reaches_what_it_reaches(address, reach):
    assert webhooks.address_reach(address) == reach


@pytest.mark.parametrize(
    "host",
    ["[64:ff9b::7f00:1]", "[2002:a9fe:a9fe::]", "[::ffff:127.0.0.1]", "[64:ff9b:1::a00:1]",
     "[2001:0:5db8:d70e::80ff:fffe]", "[fe80::1]", "[::7f00:1]", UNSPECIFIED, "100.64.0.1"],
)  # fmt: skip
def test_ipv6_spellings_of_our_own_network_are_refused(api, cast, monkeypatch, host):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: [host])
    response = api(cast["automaker"]).post("/api/v1/webhooks/", {"url": f"http://{host}/h"})
    assert response.status_code == 400
    assert "public internet address" in response.json()["detail"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("host", "status"),
    [("127.0.0.1", 201), ("[64:ff9b::7f00:1]", 201), ("[fd00::1]", 201), ("10.1.2.3", 201),
     ("169.254.169.254", 400), ("[2002:a9fe:a9fe::]", 400), ("[ff02::1]", 400), (UNSPECIFIED, 400)],
)  # fmt: skip
def test_the_private_setting_lets_through_private_networks_only(
    api, cast, settings, monkeypatch, host, status
):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: [host])
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    response = api(cast["automaker"]).post("/api/v1/webhooks/", {"url": f"http://{host}/h"})
    assert response.status_code == status, response.content


def test_debug_does_not_allow_private_targets(api, cast, settings, monkeypatch):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: [host])
    settings.DEBUG = True
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = api(cast["automaker"]).post("/api/v1/webhooks/", {"url": "http://127.0.0.1:9/h"})
    assert response.status_code == 400


def test_the_private_setting_is_off_unless_set_even_with_debug(monkeypatch):
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.delenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", raising=False)
    values = runpy.run_module("portal.settings")
    assert values["DEBUG"] is True and values["WEBHOOK_ALLOW_PRIVATE_TARGETS"] is False
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "1")
    assert runpy.run_module("portal.settings")["WEBHOOK_ALLOW_PRIVATE_TARGETS"] is True


def test_a_host_with_one_private_address_among_public_ones_is_refused(api, cast, monkeypatch):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["93.184.215.14", "::ffff:a00:1"])
    response = api(cast["automaker"]).post("/api/v1/webhooks/", {"url": "https://a.example/h"})
    assert response.status_code == 400


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "2002:a9fe:a9fe::", "::ffff:10.0.0.1"])
def test_a_delivery_does_not_connect_to_a_spelling_of_our_own_network(
    settings, monkeypatch, address
):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["93.184.215.14", address])
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValueError, match="not a public address"):
        webhooks.connect_address("hooks.example")


def test_a_delivery_connects_to_the_first_address_checked(monkeypatch):
    monkeypatch.setattr(webhooks, "host_addresses", lambda host: ["93.184.215.14", "8.8.8.8"])
    assert webhooks.connect_address("hooks.example") == "93.184.215.14"
