"""A class named on its own is written the same everywhere: the portal's label, sentence case
("All-solid-state battery"), on the pages, in the certificate PDF and in the API, though the
rule set (and so the frozen certificate content) writes it lowercase for use inside sentences."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from certification.selectors import class_label
from reports.documents import certificate_document
from tests.reports.conftest import make_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(product, orgs, cast):
    certificate = make_certificate(product, orgs["lab"], cast["maker"])
    assert certificate.content["determined_class"]["name_en"] == "all-solid-state battery"
    return certificate


def label() -> str:
    with translation.override("en"):
        return str(class_label("all_solid_state"))


def test_the_label_is_sentence_case():
    assert label() == "All-solid-state battery"


def test_the_verification_api_names_it_as_the_label(api, certificate):
    record = api(None).get(f"/api/v1/verify/{certificate.number}/").json()
    assert record["determined_class"]["name_en"] == label()
    assert record["determined_class"]["code"] == "all_solid_state"


def test_the_pages_name_it_as_the_label(client, cast, certificate):
    verify = client.get(f"/verify/{certificate.number}").content.decode()
    determined = re.search(r"Determined class</dt><dd>([^<]+)<", verify).group(1)
    assert determined == label()
    client.force_login(cast["maker"])
    page = client.get(f"/certificates/{certificate.number}/").content.decode()
    shown = re.search(r'id="certificate-class">([^<]+)<', page).group(1)
    assert shown == label()


def test_the_pdf_names_it_as_the_label(certificate):
    assert certificate_document(certificate).class_name_en == label()
