"""Requests that are the client's mistake get a 4xx with a message, never a 500, and write
nothing: JSON nested past the interpreter's recursion limit, numbers too large for a float,
NaN and Infinity, and OPTIONS asked for as CSV."""

from __future__ import annotations

import pytest

from certification.models import Submission

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (None, "/api/v1/auth/token/"),
        (None, "/api/v1/verify/"),
        ("maker", "/api/v1/submissions/"),
        ("maker", "/api/v1/products/"),
        ("automaker", "/api/v1/watchlist/bulk/"),
    ],
)
def test_json_nested_too_deeply_is_refused_with_400(api, cast, who, path):
    client = api(cast[who] if who else None)
    response = client.generic("POST", path, DEEP, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"] == "The JSON is nested too deeply."


@pytest.mark.parametrize("number", ["1e309", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_a_number_json_cannot_carry_is_refused_and_nothing_is_written(
    api, cast, orgs, product, number
):
    body = f'{{"product": {product.pk}, "claimed_class": "all_solid_state", "lab": {number}}}'
    response = api(cast["maker"]).generic(
        "POST", "/api/v1/submissions/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"].startswith("JSON parse error")
    assert not Submission.objects.exists()


def test_the_token_endpoint_refuses_an_overflowing_number(api):
    response = api(None).generic(
        "POST",
        "/api/v1/auth/token/",
        '{"username": "maker", "password": 1e309}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]


@pytest.mark.parametrize(
    ("who", "path"), [(None, "/api/v1/verify/"), ("regulator", "/api/v1/audit/")]
)
@pytest.mark.parametrize("ask", ["query", "accept"])
def test_options_asked_for_as_csv_describes_the_endpoint_in_json(api, cast, who, path, ask):
    client = api(cast[who] if who else None)
    if ask == "query":
        response = client.options(f"{path}?format=csv")
    else:
        response = client.options(path, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert "name" in response.json()


@pytest.mark.parametrize("page_size", ["abc", "0", "-5", "501", "1e3", ""])
def test_a_malformed_page_size_is_refused(api, cast, page_size):
    response = api(cast["maker"]).get("/api/v1/submissions/", {"page_size": page_size})
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "page_size"


def test_a_submissions_files_are_a_plain_list_as_the_schema_says(api, cast, submission):
    body = api(cast["maker"]).get(f"/api/v1/submissions/{submission.pk}/datasets/").json()
    assert body == []
    schema = api(cast["maker"]).get("/api/v1/schema/?format=json").json()
    answer = schema["paths"]["/api/v1/submissions/{id}/datasets/"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["type"] == "array"


@pytest.mark.parametrize("mass", ["1e309", "1e-300", "0", "-5"])
def test_a_product_with_an_impossible_cell_mass_is_refused(api, cast, mass):
    from certification.models import Product
    from tests.conftest import PRODUCT_FIELDS

    body = {**{k: str(v) for k, v in PRODUCT_FIELDS.items()}, "cell_mass_g": mass}
    response = api(cast["maker"]).post("/api/v1/products/", body, format="json")
    assert response.status_code == 400, response.content
    assert any(e["column"] == "cell_mass_g" for e in response.json()["errors"])
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("who", "path", "name"),
    [
        ("maker", "/api/v1/products/", "electrolyte_family"),
        ("maker", "/api/v1/products/", "conducting_ion"),
        ("maker", "/api/v1/submissions/", "status"),
        ("maker", "/api/v1/certificates/", "status"),
    ],
)
def test_a_filter_sent_without_a_value_is_refused(api, cast, who, path, name):
    response = api(cast[who]).get(path, {name: ""})
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["column"] == name
    assert api(cast[who]).get(path).status_code == 200
