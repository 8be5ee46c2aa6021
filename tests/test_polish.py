"""Small things a user notices, without a browser: the favicon (linked on every page, and
/favicon.ico answers), the Redoc page naming nothing outside the portal in its script and link
tags and its CSP allowing no outside host, and the Webhooks link in the automakers' menu."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class Tags(HTMLParser):
    """Every address a page's script, link, img and iframe tags load."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {"script": "src", "link": "href", "img": "src", "iframe": "src"}
        if tag in names:
            value = dict(attrs).get(names[tag])
            if value:
                self.loads.append(value)


def loads(html: str) -> list[str]:
    parser = Tags()
    parser.feed(html)
    return parser.loads


def test_favicon_ico_answers_at_the_root(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(answer.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.parametrize("path", ["/login/", "/verify/"])
def test_every_page_links_the_favicon(client, path):
    html = client.get(path).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in html
    svg = re.search(r'<link rel="icon" href="([^"]+favicon[^"]*\.svg)"', html)
    assert svg, html[:800]


def test_the_redoc_page_loads_nothing_from_outside(client, cast):
    client.force_login(cast["maker"])
    answer = client.get("/api/v1/redoc/")
    assert answer.status_code == 200
    html = answer.content.decode()
    addresses = loads(html)
    assert any("redoc.standalone.js" in a for a in addresses)
    outside = [a for a in addresses if re.match(r"(https?:)?//", a)]
    assert outside == []
    assert "<script>" not in html and "fonts.googleapis" not in html
    policy = dict(
        part.strip().split(" ", 1) for part in answer["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"  # no inline script, no other host
    for directive, value in policy.items():
        assert "http" not in value and "*" not in value, (directive, value)


def test_the_swagger_page_loads_nothing_from_outside(client, cast):
    client.force_login(cast["maker"])
    html = client.get("/api/v1/docs/").content.decode()
    assert [a for a in loads(html) if re.match(r"(https?:)?//", a)] == []
    script = client.get("/api/v1/docs/?script=").content.decode()
    assert "validatorUrl" in script  # Swagger's online validator badge is switched off
