"""Registering a product and opening a submission through the pages."""

from __future__ import annotations

import pytest

from certification.models import Product, Submission
from tests.conftest import PRODUCT_FIELDS

pytestmark = pytest.mark.django_db


def _product_post(**overrides):
    return {**PRODUCT_FIELDS, "declared_liquid_electrolyte_pct": "0", **overrides}


def test_a_maker_registers_a_product(client, cast, orgs):
    client.force_login(cast["maker"])
    response = client.post("/products/new/", _product_post(model_number="QS-NEW-1"))
    assert response.status_code == 302
    product = Product.objects.get(model_number="QS-NEW-1")
    assert product.manufacturer == orgs["maker"] and product.created_by == cast["maker"]
    assert response["Location"] == f"/products/{product.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "QS-NEW-1" in page and "registered" in page


def test_a_repeated_model_number_is_shown_beside_the_field(client, cast, product):
    client.force_login(cast["maker"])
    response = client.post("/products/new/", _product_post())
    assert response.status_code == 400
    page = response.content.decode()
    assert "This model number is already registered." in page
    assert Product.objects.count() == 1


def test_invalid_figures_are_refused_by_the_form(client, cast):
    client.force_login(cast["maker"])
    response = client.post(
        "/products/new/",
        _product_post(
            model_number="QS-BAD", cell_mass_g="-1", declared_liquid_electrolyte_pct="120"
        ),
    )
    assert response.status_code == 400
    assert "Must be between 0 and 100 %." in response.content.decode()
    assert not Product.objects.filter(model_number="QS-BAD").exists()


def test_the_submission_form_offers_own_products_and_accredited_labs_only(
    client, cast, orgs, product
):
    other = Product.objects.create(
        manufacturer=orgs["other_maker"],
        created_by=cast["other_maker"],
        **{**PRODUCT_FIELDS, "model_number": "OTHER-1"},
    )
    client.force_login(cast["maker"])
    page = client.get(f"/submissions/new/?product={product.pk}").content.decode()
    assert f'<option value="{product.pk}" selected>' in page
    assert "OTHER-1" not in page
    assert orgs["lab"].name in page and orgs["other_lab"].name in page
    assert orgs["expired_lab"].name not in page

    response = client.post(
        "/submissions/new/",
        {"product": other.pk, "claimed_class": "all_solid_state", "lab": orgs["lab"].pk},
    )
    assert response.status_code == 400
    response = client.post(
        "/submissions/new/",
        {"product": product.pk, "claimed_class": "all_solid_state", "lab": orgs["expired_lab"].pk},
    )
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_a_maker_opens_a_submission(client, cast, orgs, product):
    client.force_login(cast["maker"])
    response = client.post(
        "/submissions/new/",
        {"product": product.pk, "claimed_class": "hybrid_solid_liquid", "lab": orgs["lab"].pk},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.lab == orgs["lab"] and submission.claimed_class == "hybrid_solid_liquid"
    assert response["Location"] == f"/submissions/{submission.pk}/"
