"""Every API route, from every role, another organisation of the same kind, and anonymous."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services
from certification.models import Dataset, Submission
from tests.conftest import upload_all
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db

ROLES = ["maker", "other_maker", "lab", "other_lab", "reviewer", "automaker", "regulator", None]


def _submitted(submission, cast):
    upload_all(submission, cast["lab"])
    services.submission_submit(user=cast["maker"], submission=submission)
    submission.refresh_from_db()
    return submission


# (role, expected status) for reading a DRAFT submission and its product.
DRAFT_READ = {
    "maker": 200, "other_maker": 404, "lab": 200, "other_lab": 404,
    "reviewer": 404, "automaker": 404, "regulator": 404, None: 401,
}  # fmt: skip
# Once submitted, the certification body and the regulator see it too.
SUBMITTED_READ = {**DRAFT_READ, "reviewer": 200, "regulator": 200}


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_draft_submission(api, cast, submission, role):
    client = api(cast.get(role))
    assert client.get(f"/api/v1/submissions/{submission.pk}/").status_code == DRAFT_READ[role]
    assert client.get(f"/api/v1/products/{submission.product_id}/").status_code == DRAFT_READ[role]
    assert (
        client.get(f"/api/v1/submissions/{submission.pk}/datasets/").status_code == DRAFT_READ[role]
    )


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_submitted_submission(
    api, cast, submission, role, django_capture_on_commit_callbacks
):
    _submitted(submission, cast)
    client = api(cast.get(role))
    assert client.get(f"/api/v1/submissions/{submission.pk}/").status_code == SUBMITTED_READ[role]
    assert (
        client.get(f"/api/v1/products/{submission.product_id}/").status_code == SUBMITTED_READ[role]
    )


@pytest.mark.parametrize("role", ROLES)
def test_listings_show_only_what_is_theirs(api, cast, submission, role):
    response = api(cast.get(role)).get("/api/v1/submissions/")
    if role is None:
        assert response.status_code == 401
        return
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([submission.pk] if DRAFT_READ[role] == 200 else [])
    products = [row["id"] for row in api(cast[role]).get("/api/v1/products/").json()["results"]]
    assert products == ([submission.product_id] if DRAFT_READ[role] == 200 else [])


@pytest.mark.parametrize(
    ("role", "status"),
    [("maker", 201), ("other_maker", 201), ("lab", 403), ("reviewer", 403),
     ("automaker", 403), ("regulator", 403), (None, 401)],
)  # fmt: skip
def test_registering_products(api, cast, role, status):
    payload = {
        "model_number": f"M-{role}", "name": "Cell", "electrolyte_family": "oxide",
        "conducting_ion": "lithium", "rated_capacity_ah": "10", "nominal_voltage_v": "3.6",
        "rated_energy_wh": "36", "max_continuous_power_w": "100", "cell_mass_g": "80",
        "declared_liquid_electrolyte_pct": "1.5",
    }  # fmt: skip
    assert api(cast.get(role)).post("/api/v1/products/", payload).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("maker", 201), ("other_maker", 400), ("lab", 403), ("reviewer", 403),
     ("automaker", 403), ("regulator", 403), (None, 401)],
)  # fmt: skip
def test_opening_submissions(api, cast, orgs, product, role, status):
    payload = {"product": product.pk, "claimed_class": "all_solid_state", "lab": orgs["lab"].pk}
    response = api(cast.get(role)).post("/api/v1/submissions/", payload)
    assert response.status_code == status
    if role == "other_maker":  # another company's product does not exist for them
        assert response.json()["errors"][0]["column"] == "product"


@pytest.mark.parametrize(
    ("role", "status", "source"),
    [("lab", 201, "lab"), ("maker", 201, "maker"), ("other_lab", 404, None),
     ("other_maker", 404, None), ("reviewer", 404, None), ("automaker", 404, None),
     ("regulator", 404, None), (None, 401, None)],
)  # fmt: skip
def test_uploading_result_sheets(api, cast, submission, role, status, source):
    upload = SimpleUploadedFile("content.csv", sample_sheet("electrolyte_content"))
    response = api(cast.get(role)).post(
        f"/api/v1/submissions/{submission.pk}/datasets/",
        {"kind": "electrolyte_content", "file": upload},
    )
    assert response.status_code == status, response.content
    if source:
        assert response.json()["source"] == source
    assert Dataset.objects.count() == (1 if source else 0)


@pytest.mark.parametrize(
    ("role", "status"),
    [("maker", 202), ("other_maker", 404), ("lab", 403), ("other_lab", 404),
     ("reviewer", 404), ("automaker", 404), ("regulator", 404), (None, 401)],
)  # fmt: skip
def test_submitting(api, cast, submission, role, status, django_capture_on_commit_callbacks):
    upload_all(submission, cast["lab"])
    response = api(cast.get(role)).post(f"/api/v1/submissions/{submission.pk}/submit/")
    assert response.status_code == status
    submission.refresh_from_db()
    expected = Submission.Status.EVALUATING if status == 202 else Submission.Status.DRAFT
    assert submission.status == expected


@pytest.mark.parametrize(
    ("role", "status"),
    [("lab", 200), ("maker", 403), ("other_lab", 404), ("reviewer", 404), (None, 401)],
)
def test_withdrawing_a_lab_dataset(api, cast, submission, role, status):
    dataset = services.dataset_upload(
        user=cast["lab"],
        submission=submission,
        kind="electrolyte_content",
        upload=SimpleUploadedFile("c.csv", sample_sheet("electrolyte_content")),
    )
    response = api(cast.get(role)).post(
        f"/api/v1/datasets/{dataset.pk}/withdraw/", {"reason": "wrong batch"}, format="json"
    )
    assert response.status_code == status
    dataset.refresh_from_db()
    assert (dataset.withdrawn_at is not None) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [("lab", 200), ("maker", 200), ("other_lab", 404), ("other_maker", 404),
     ("reviewer", 404), ("automaker", 404), (None, 401)],
)  # fmt: skip
def test_downloading_evidence(api, cast, submission, role, status):
    content = sample_sheet("electrolyte_content")
    dataset = services.dataset_upload(
        user=cast["lab"], submission=submission, kind="electrolyte_content",
        upload=SimpleUploadedFile("c.csv", content),
    )  # fmt: skip
    response = api(cast.get(role)).get(f"/api/v1/datasets/{dataset.pk}/download/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("role", ROLES)
def test_labs_listing_offers_only_currently_accredited_labs_to_makers(api, cast, orgs, role):
    response = api(cast.get(role)).get("/api/v1/labs/")
    if role is None:
        assert response.status_code == 401
        return
    names = {row["name"] for row in response.json()["results"]}
    if role in ("maker", "other_maker"):
        assert names == {orgs["lab"].name, orgs["other_lab"].name}
    else:
        assert names == set()


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/templates/weight_loss/"])
def test_public_documents_need_no_login(api, path, db):
    assert api(None).get(path).status_code == 200
