"""docker/compose.yml is valid and runs web and worker from one image that differ in command.

Validated with Debian's docker-compose (`docker-compose config` needs no Docker engine);
scripts/test.sh installs it when missing.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker" / "compose.yml"


@pytest.fixture(scope="module")
def config() -> dict:
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        pytest.fail(
            "docker-compose is not installed: `apt-get install -y docker-compose` "
            "(scripts/test.sh does this when run as root)"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "PORTAL_"))}
    result = subprocess.run(
        [docker_compose, "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_file_validates_and_defines_the_services(config):
    assert set(config["services"]) == {
        "migrate",
        "web",
        "worker",
        "beat",
        "postgres",
        "redis",
        "proxy",
        "objectstore",
    }


def test_web_and_worker_run_the_same_image_with_different_commands(config):
    web, worker = config["services"]["web"], config["services"]["worker"]
    assert web["build"] == worker["build"]
    assert web["build"]["dockerfile"] == "docker/Dockerfile"
    assert Path(web["build"]["context"]).resolve() == ROOT
    assert web["image"] == worker["image"]
    assert web["environment"] == worker["environment"]
    assert web["volumes"] == worker["volumes"]
    assert web["command"] != worker["command"]
    assert web["command"].startswith("gunicorn portal.wsgi:application")
    assert worker["command"].startswith("celery -A portal worker")


def test_web_and_worker_start_only_after_migrations_succeed(config):
    migrate = config["services"]["migrate"]
    assert migrate["image"] == config["services"]["web"]["image"]
    assert "manage.py migrate" in migrate["command"]
    assert "manage.py load_rulesets" in migrate["command"]
    for name in ("web", "worker"):
        depends_on = config["services"][name]["depends_on"]
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}


def test_evidence_goes_to_the_object_store_service_with_its_own_volume(config):
    from portal.settings import _file_storage

    store = config["services"]["objectstore"]
    assert store["image"].startswith("chrislusf/seaweedfs:")
    assert "weed server" in store["command"][0] and "-s3 -s3.port=8333" in store["command"][0]
    assert any(str(v).startswith("objectstore:/data") for v in store["volumes"])
    assert "objectstore" in config["volumes"]
    assert "ports" not in store  # reached only inside the compose network
    for name in ("web", "worker", "beat"):
        environment = config["services"][name]["environment"]
        options = _file_storage(environment["STORAGE_URL"])["OPTIONS"]
        assert options["endpoint_url"] == "http://objectstore:8333"
        # The store accepts the portal's key pair: it reads the same env file.
        assert store["environment"]["AWS_ACCESS_KEY_ID"] == environment["AWS_ACCESS_KEY_ID"]
        assert environment["AWS_SECRET_ACCESS_KEY_FILE"] == "/run/secrets/s3_secret_key"
        assert "AWS_SECRET_ACCESS_KEY" not in environment
    for name in ("migrate", "web", "worker"):
        depends_on = config["services"][name]["depends_on"]
        assert depends_on["objectstore"] == {"condition": "service_healthy"}
    # The migrate service makes the bucket before web and worker start.
    assert "manage.py storage_ready" in config["services"]["migrate"]["command"]


def test_a_1_gb_upload_outlasts_no_timeout(config):
    import re

    from django.conf import settings

    command = config["services"]["web"]["command"]
    timeout = int(re.search(r"--timeout (\d+)", command).group(1))
    assert "--worker-class" not in command and "-k " not in command  # sync, behind nginx
    conf = (ROOT / "docker" / "nginx.conf").read_text(encoding="utf-8")
    upload = re.search(r"location ~ \^/\(api/v1/submissions[^{]+\{([^}]+)\}", conf).group(1)
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", upload).group(1))
    assert read_timeout > timeout >= 300
    assert settings.RAW_DATA_MAX_BYTES >= 1024 * 1024 * 1024


def test_web_worker_and_beat_share_the_var_volume(config):
    # Evidence, certificates and the generated signing key must be the same for all of them.
    for name in ("web", "worker", "beat"):
        assert any(
            volume.startswith("portal-var:/app/var")
            for volume in config["services"][name]["volumes"]
        )


def test_the_env_example_points_at_the_compose_services(config):
    environment = config["services"]["web"]["environment"]
    assert environment["DATABASE_URL"] == "postgres://portal:portal@postgres:5432/portal"
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert environment["REDIS_URL"] == "redis://redis:6379/1"
    # Production secrets come from files (docker/secrets/, mounted), never from the env file.
    assert environment["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert environment["SIGNING_PRIVATE_KEY_FILE"] == "/run/secrets/signing_key.pem"
    assert "SECRET_KEY" not in environment
    assert any(v.endswith(":/run/secrets:ro") for v in config["services"]["web"]["volumes"])


def test_the_secrets_stay_out_of_git_and_the_image():
    assert "docker/secrets" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert (ROOT / "docker" / "secrets" / ".gitignore").read_text(encoding="utf-8").count("*")


def test_the_build_context_leaves_out_local_state():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".venv", "var", ".git"):
        assert entry in ignored


def test_redis_keeps_queued_tasks_across_a_restart(config):
    redis = config["services"]["redis"]
    assert "--appendonly yes" in redis["command"]
    assert any(str(v).endswith(":/data") or "/data" in str(v) for v in redis["volumes"])


def test_beat_runs_the_sweeps_that_resend_lost_work(config):
    from django.conf import settings

    assert config["services"]["beat"]["command"].startswith("celery -A portal beat")
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"certification.sweep_evaluations", "reports.sweep"} <= tasks


def test_the_proxy_alone_is_published_and_caps_bodies_as_the_portal_does(config):
    import re

    from django.conf import settings

    proxy = config["services"]["proxy"]
    assert [str(p.get("published", p)) for p in proxy["ports"]][0].startswith("8000")
    assert "ports" not in config["services"]["web"]
    conf = (ROOT / "docker" / "nginx.conf").read_text(encoding="utf-8")
    sizes = dict(re.findall(r"location ([^{]+)\{\s*client_max_body_size (\d+)m;", conf))
    default = re.search(r"^    client_max_body_size (\d+)m;", conf, re.MULTILINE)
    assert int(default.group(1)) * 1024 * 1024 == settings.REQUEST_BODY_MAX_BYTES
    assert any(
        "datasets" in loc and int(mb) * 1024 * 1024 > settings.RAW_DATA_MAX_BYTES
        for loc, mb in sizes.items()
    )
    assert config["services"]["web"]["environment"]["NUM_PROXIES"] == "1"
