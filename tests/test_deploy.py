"""Deployment settings: every page carries a Content-Security-Policy; with the documented
production settings `manage.py check --deploy` has nothing to say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/verify/", "/api/v1/verify/SSB-2026-000001/"])
def test_every_answer_carries_the_content_security_policy(client, path):
    header = client.get(path)["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"


@pytest.mark.django_db
def test_the_api_docs_run_under_it(client, cast):
    client.force_login(cast["maker"])
    swagger = client.get("/api/v1/docs/")
    assert swagger.status_code == 200 and b"<script>" not in swagger.content
    assert client.get("/api/v1/docs/?script=").status_code == 200
    redoc = client.get("/api/v1/redoc/")
    assert "worker-src 'self' blob:" in redoc["Content-Security-Policy"]


def _signing_key(path: Path) -> Path:
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _assert_check_deploy_is_silent(env: dict) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_silent_with_the_production_settings(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment does not.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    _assert_check_deploy_is_silent(
        {
            **inherited,
            "DEBUG": "0",
            "SECRET_KEY": "x" * 30 + "-production-secret-key-of-some-length-0123456789",
            "SITE_URL": "https://ssb-portal.example.cn",
            "ALLOWED_HOSTS": "ssb-portal.example.cn",
            "CSRF_TRUSTED_ORIGINS": "https://ssb-portal.example.cn",
            "SECURE_PROXY_SSL_HEADER": "1",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
            "SECURE_HSTS_PRELOAD": "1",
            "SIGNING_PRIVATE_KEY_FILE": str(_signing_key(tmp_path / "signing_key.pem")),
            "PORTAL_VAR_DIR": str(tmp_path),
        }
    )


def test_check_deploy_is_silent_with_the_shipped_env_example(tmp_path):
    """docker/.env.example as shipped, with only its secret files made (as its header says)."""
    secret_key = tmp_path / "secret_key"
    secret_key.write_text("k" * 10 + "-a-production-secret-key-with-enough-length-and-variety-42")
    s3_secret_key = tmp_path / "s3_secret_key"
    s3_secret_key.write_text("an-object-store-secret")
    shipped = {}
    for line in (ROOT / "docker" / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            shipped[key.strip()] = value.strip()
    assert shipped["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    _assert_check_deploy_is_silent(
        {
            "PATH": os.environ["PATH"],
            **shipped,
            "SECRET_KEY_FILE": str(secret_key),
            "SIGNING_PRIVATE_KEY_FILE": str(_signing_key(tmp_path / "signing_key.pem")),
            "AWS_SECRET_ACCESS_KEY_FILE": str(s3_secret_key),
            "PORTAL_VAR_DIR": str(tmp_path),
        }
    )
