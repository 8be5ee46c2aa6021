"""docs/VERIFY_OFFLINE.md's status-list commands, run exactly as written (curl, openssl,
python3) against a live test server: an integrator's credentials, two downloads, every status.

The server runs in this process on committed data (a transactional test); each web process's copy
of the lists is emptied by the certificate table's notifications, as in production.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from reports.models import Certificate
from reports.services import certificate_change_status, certificate_resign
from tests.reports.conftest import make_many_certificates

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = 40
SEEN_WITHIN_S = 5.0


@pytest.fixture(autouse=True)
def _rulesets(transactional_db):
    # Transactional tests empty every table afterwards; the rule sets come back from their files.
    from certification.services import rulesets_sync

    rulesets_sync()


def documented_commands() -> str:
    text = (ROOT / "docs" / "VERIFY_OFFLINE.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- status-lists -->\s*```bash\n(.*?)```\s*<!-- /status-lists -->", text, re.S
    )
    assert block, "docs/VERIFY_OFFLINE.md lost its status-lists block"
    return block.group(1)


def run(script: str, cwd: Path, portal: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "PORTAL": portal},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("curl", "openssl", "python3")),
    reason="needs curl, openssl and python3",
)
def test_the_documented_commands_give_every_status(
    live_server, settings, product, orgs, cast, eager_celery, tmp_path
):
    settings.SITE_URL = live_server.url
    numbers = make_many_certificates(product, orgs["lab"], cast["maker"], CREDENTIALS)
    folder = tmp_path / "credentials"
    folder.mkdir()
    certificates = list(Certificate.objects.filter(number__in=numbers).order_by("number"))
    for certificate in certificates:
        signed = certificate_resign(certificate=certificate)
        (folder / f"{signed.number}.jwt").write_text(signed.credential_jws + "\n")
    suspended, revoked, reinstated = certificates[3], certificates[17], certificates[25]
    for certificate, status in [
        (suspended, "suspended"),
        (revoked, "revoked"),
        (reinstated, "suspended"),
        (reinstated, "valid"),
    ]:
        certificate_change_status(
            user=cast["reviewer"], certificate=certificate, new_status=status, reason="Audit."
        )
        certificate.refresh_from_db()

    done = run(documented_commands(), tmp_path, live_server.url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Signature Verified Successfully") == 2
    expected = {c.number: "valid" for c in certificates}
    expected[suspended.number] = "suspended"
    expected[revoked.number] = "revoked"
    lines = re.findall(r"^(\S+) (valid|suspended|revoked|expired)$", done.stdout, re.M)
    assert dict(lines) == expected

    # A change after the lists were served (and kept by the server's copy): seen within seconds.
    certificate_change_status(
        user=cast["reviewer"], certificate=reinstated, new_status="revoked", reason="Fraud."
    )
    changed_at = time.monotonic()
    expected[reinstated.number] = "revoked"
    while True:
        done = run(documented_commands(), tmp_path, live_server.url)
        lines = re.findall(r"^(\S+) (valid|suspended|revoked|expired)$", done.stdout, re.M)
        if dict(lines) == expected:
            break
        assert time.monotonic() - changed_at < SEEN_WITHIN_S, "the list did not change"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_the_documented_commands_refuse_an_altered_list(live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    script = documented_commands().replace(
        'curl -fsS "$PORTAL/status-lists/$purpose/1" -o "$purpose.jwt"',
        'curl -fsS "$PORTAL/status-lists/$purpose/1" -o "$purpose.jwt"\n'
        "  sed -i 's/\\.[A-Za-z0-9_-]\\{4\\}/.AAAA/' \"$purpose.jwt\"",
    )
    assert script != documented_commands()
    (tmp_path / "credentials").mkdir()
    done = run(script, tmp_path, live_server.url)
    assert done.returncode != 0
    assert "Signature Verified Successfully" not in done.stdout
