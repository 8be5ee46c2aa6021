# ruff: noqa: S608  (raw SQL is the point: what an attacker with database rights runs)
"""Signed checkpoints of the audit log: published hourly and on demand, public, checked by
``verify_audit --against`` and by openssl alone as docs/AUDIT.md says."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from certification import audit_chain
from certification.models import AuditEvent
from certification.services import audit
from reports import audit_checkpoints, signing, tasks
from reports.models import AuditCheckpoint
from tests.certification.audit_events import add_event, empty_log

ROOT = Path(__file__).resolve().parents[2]
TABLE = audit_chain.TABLE
API = "/api/v1/audit/checkpoints/"

pytestmark = pytest.mark.django_db


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def log(cast):
    empty_log()
    return [audit(action=f"test.event{n}", actor=cast["reviewer"], n=n) for n in range(5)]


def keep(tmp_path, checkpoint, name="checkpoint.json") -> Path:
    """The checkpoint as someone downloads and keeps it."""
    path = tmp_path / name
    path.write_text(json.dumps(audit_checkpoints.document(checkpoint)), encoding="utf-8")
    return path


def verify(*args) -> tuple[int, str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


# --- publishing -----------------------------------------------------------------------------------


def test_beat_publishes_a_signed_checkpoint_of_the_head(log):
    assert tasks.publish_audit_checkpoint() == 5
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.event_count, checkpoint.head_hash) == (5, log[-1].hash)
    assert checkpoint.origin == "schedule" and checkpoint.requested_by is None
    payload = audit_checkpoints.verify_document(audit_checkpoints.document(checkpoint))
    assert payload["event_count"] == 5 and payload["head_hash"] == log[-1].hash
    assert payload["type"] == "ssb-audit-checkpoint" and payload["log"].endswith(
        "/audit/checkpoints/"
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", payload["at"])
    assert AuditEvent.objects.count() == 5  # beat's checkpoints are not themselves events


def test_an_empty_log_has_a_checkpoint_of_zero_events():
    empty_log()
    checkpoint = audit_checkpoints.checkpoint_publish()
    assert (checkpoint.event_count, checkpoint.head_hash) == (0, audit_chain.GENESIS)


@pytest.mark.parametrize("who", ["regulator", "reviewer"])
def test_the_regulator_and_the_certification_body_publish_on_demand(api, cast, log, who):
    response = api(cast[who]).post(API)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["event_count"] == 5 and body["head_hash"] == log[-1].hash
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.requested_by == cast[who] and checkpoint.origin == "request"
    event = AuditEvent.objects.get(action="audit.checkpoint_published")
    assert event.actor == cast[who] and event.object_id == str(checkpoint.pk)
    assert event.seq == 6  # after the checkpoint: it covers the five before


@pytest.mark.parametrize("who", ["maker", "lab", "automaker"])
def test_others_cannot_publish(api, client, cast, log, who):
    response = api(cast[who]).post(API)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only the certification body and regulators publish checkpoints."
    )
    client.force_login(cast[who])
    assert client.post("/audit/checkpoints/publish/").status_code == 403
    assert not AuditCheckpoint.objects.exists()
    assert AuditEvent.objects.count() == 5


def test_anonymous_cannot_publish(api, client, log):
    assert api(None).post(API).status_code == 401
    assert client.post("/audit/checkpoints/publish/").status_code == 302  # to the login page
    assert not AuditCheckpoint.objects.exists()


def test_the_page_button_publishes(client, cast, log):
    client.force_login(cast["regulator"])
    html = client.get("/audit/checkpoints/").content.decode()
    assert 'id="publish-checkpoint"' in html
    response = client.post("/audit/checkpoints/publish/", follow=True)
    checkpoint = AuditCheckpoint.objects.get()
    assert f"Checkpoint {checkpoint.pk} published: 5 events." in response.content.decode()
    assert f"/audit/checkpoints/{checkpoint.pk}.json" in response.content.decode()


# --- reading, without login -----------------------------------------------------------------------


def test_checkpoints_are_public(api, client, log):
    assert client.get("/audit/checkpoints/latest.json").status_code == 404
    assert api(None).get(API + "latest/").status_code == 404
    first = audit_checkpoints.checkpoint_publish()
    add_event(action="test.more")
    second = audit_checkpoints.checkpoint_publish()
    latest = client.get("/audit/checkpoints/latest.json")
    assert latest.status_code == 200 and latest["Access-Control-Allow-Origin"] == "*"
    assert latest.json() == audit_checkpoints.document(second)
    assert client.get(f"/audit/checkpoints/{first.pk}.json").json()["event_count"] == 5
    assert client.get("/audit/checkpoints/999999.json").status_code == 404
    assert api(None).get(API + "latest/").json()["event_count"] == 6
    assert api(None).get(f"{API}{first.pk}/").json()["id"] == first.pk
    assert api(None).get(f"{API}999999/").status_code == 404
    listed = api(None).get(API).json()
    assert [c["event_count"] for c in listed["results"]] == [6, 5]
    html = client.get("/audit/checkpoints/").content.decode()
    assert 'id="publish-checkpoint"' not in html and second.head_hash[:14] in html


def test_the_checkpoint_table_refuses_changes(log):
    checkpoint = audit_checkpoints.checkpoint_publish()
    for statement in (
        f"UPDATE reports_auditcheckpoint SET event_count = 3 WHERE id = {checkpoint.pk}",
        "DELETE FROM reports_auditcheckpoint",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql(statement)
    assert AuditCheckpoint.objects.get().event_count == 5


# --- verify_audit ---------------------------------------------------------------------------------


def test_verify_audit_passes_an_untouched_log(log, tmp_path):
    path = keep(tmp_path, audit_checkpoints.checkpoint_publish())
    add_event(action="test.after")
    code, out, _err = verify("--against", str(path), "--batch", "2")
    assert code == 0
    assert "OK: 6 events, head seq 6" in out and "checkpoints matched at seq: 5" in out


def test_a_history_rewritten_after_a_checkpoint_is_caught(log, tmp_path):
    path = keep(tmp_path, audit_checkpoints.checkpoint_publish())
    sql(f"DROP TRIGGER audit_event_no_update_delete ON {TABLE}")
    sql(f"DROP TRIGGER audit_event_append_at_head ON {TABLE}")
    sql("DROP TRIGGER audit_checkpoint_no_update_delete ON reports_auditcheckpoint")
    sql("DELETE FROM reports_auditcheckpoint")  # the attacker removes the portal's copies too
    sql(f"DELETE FROM {TABLE} WHERE seq >= 3")
    for n in range(3):  # a new, valid chain from seq 3 on
        add_event(action=f"test.rewritten{n}")
    assert verify()[0] == 0  # internally consistent: only a kept checkpoint can tell
    code, _out, err = verify("--against", str(path))
    assert code == 1
    assert "BROKEN at seq 5" in err and "the history up to it was rewritten" in err


def test_a_removed_tail_is_caught_by_the_stored_checkpoints(log):
    audit_checkpoints.checkpoint_publish()
    sql(f"DROP TRIGGER audit_event_no_update_delete ON {TABLE}")
    sql(f"DELETE FROM {TABLE} WHERE seq = 5")
    code, _out, err = verify()
    assert code == 1 and "the log ends at seq 4, but a checkpoint signed 5 events" in err
    assert verify("--no-stored")[0] == 0


def test_an_edited_event_is_named(log):
    sql(f"DROP TRIGGER audit_event_no_update_delete ON {TABLE}")
    sql(f"UPDATE {TABLE} SET reason = 'nothing to see' WHERE seq = 2")
    code, _out, err = verify()
    assert code == 1
    assert f"BROKEN at seq 2: event {log[1].pk} (seq 2): its content no longer gives" in err


def _signed_elsewhere(payload: dict) -> str:
    key = Ed25519PrivateKey.generate()
    header = {"alg": "EdDSA", "kid": "ssb-0000000000000000", "typ": "ssb-audit-checkpoint+jws"}

    def b64(data: dict) -> str:
        raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=").decode()
    return f"{signing_input}.{signature}"


def test_unusable_checkpoint_files_are_refused_saying_why(log, tmp_path):
    checkpoint = audit_checkpoints.checkpoint_publish()
    doc = audit_checkpoints.document(checkpoint)
    header, payload, signature = doc["jws"].split(".")
    forged_payload = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged_payload["event_count"] = 4
    forged = base64.urlsafe_b64encode(
        json.dumps(forged_payload, sort_keys=True, separators=(",", ":")).encode()
    )
    cases = {
        "not json": ("{", "not a readable JSON file"),
        "no jws": ({"event_count": 5}, "a JSON object with a 'jws' is expected"),
        "two parts": ({"jws": "a.b"}, "has not three parts"),
        "altered payload": (
            {"jws": f"{header}.{forged.rstrip(b'=').decode()}.{signature}"},
            "the signature does not match",
        ),
        "other key": ({"jws": _signed_elsewhere(forged_payload)}, "which this portal never used"),
        "edited copy": ({**doc, "head_hash": "0" * 64}, "the field head_hash says"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        code, _out, err = verify("--against", str(path))
        assert (code, message in err) == (2, True), (name, err)
    assert verify("--against", str(tmp_path / "absent.json"))[0] == 2


def test_a_key_given_on_the_command_line_is_used(log, tmp_path):
    path = keep(tmp_path, audit_checkpoints.checkpoint_publish())
    (tmp_path / "key.pem").write_bytes(signing.public_key_pem())
    assert verify("--against", str(path), "--key", str(tmp_path / "key.pem"))[0] == 0
    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "other.pem").write_bytes(other)
    code, _out, err = verify("--against", str(path), "--key", str(tmp_path / "other.pem"))
    assert code == 2 and "the signature does not match" in err


# --- openssl, as docs/AUDIT.md says ---------------------------------------------------------------


def documented_check() -> str:
    text = (ROOT / "docs" / "AUDIT.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- checkpoint-check -->\s*```bash\n(.*?)```\s*<!-- /checkpoint-check -->", text, re.S
    )
    assert block, "docs/AUDIT.md lost its checkpoint-check block"
    return block.group(1)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_the_documented_openssl_check_verifies_a_checkpoint(client, log, tmp_path):
    checkpoint = audit_checkpoints.checkpoint_publish()
    (tmp_path / "checkpoint.json").write_bytes(client.get("/audit/checkpoints/latest.json").content)
    (tmp_path / "key.pem").write_bytes(client.get("/.well-known/ssb-signing-key.pem").content)
    script = documented_check()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Signature Verified Successfully" in done.stdout
    assert f'"head_hash":"{checkpoint.head_hash}"' in done.stdout
    # The same check refuses a checkpoint whose signed statement was edited.
    doc = audit_checkpoints.document(checkpoint)
    header, payload, signature = doc["jws"].split(".")
    edited = json.loads(base64.urlsafe_b64decode(payload + "=="))
    edited["event_count"] = 4
    payload = base64.urlsafe_b64encode(json.dumps(edited).encode()).rstrip(b"=").decode()
    doc["jws"] = f"{header}.{payload}.{signature}"
    (tmp_path / "checkpoint.json").write_text(json.dumps(doc))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Signature Verified Successfully" not in done.stdout
