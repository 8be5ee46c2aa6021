"""The shared cast: one organisation of each kind, a user per role, and outsiders.

Tests talk to a real PostgreSQL (see ``make test``); a SQLite run is refused so that the
constraints, locks and query counts we test are the ones production has.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from certification.models import Organisation, Product, Submission, User

Kind = Organisation.Kind
PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            f"The tests need PostgreSQL, but DATABASE_URL gives {engine}. Run `make test`, "
            "which starts the local PostgreSQL and Redis, or set DATABASE_URL=postgres://..."
        )
    # Hashing the cast's passwords with PBKDF2 would cost seconds per test; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from certification.services import rulesets_sync

    with django_db_blocker.unblock():
        rulesets_sync()
    yield
    # The verification copy's listener (reports/livecache.py) holds a connection to the test
    # database: close it before the database is dropped.
    from reports.livecache import certificates

    certificates.stop()


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache is Redis in tests, shared across tests: rate-limit counters (and the leases this
    # process holds on them) and kept verification answers must not leak into the next test.
    from django.core.cache import cache

    from reports.livecache import certificates
    from reports.ratelimit import limiter

    def empty():
        cache.clear()
        limiter.reset()
        certificates.clear()

    empty()
    yield
    empty()


@pytest.fixture(autouse=True)
def _default_language():
    # A request in Chinese leaves Chinese active in this thread (the locale middleware activates
    # the request's language and never resets it), so a later test calling a service directly
    # would read Chinese messages: every test starts and ends in the default language.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # On the object store (STORAGE_URL, which scripts/test.sh sets) each test's files go under
    # a prefix of their own, as on the filesystem they go to a folder of their own.
    default = settings.STORAGES["default"]
    if "OPTIONS" in default:
        import uuid

        options = {**default["OPTIONS"], "location": f"tests/{uuid.uuid4().hex}"}
        settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}


@pytest.fixture(autouse=True)
def _plain_static_files(settings, tmp_path_factory):
    # Pages render without ``collectstatic``, so the manifest storage production uses has no
    # manifest to read; the plain storage gives the same URLs minus the hash. An empty
    # STATIC_ROOT keeps WhiteNoise from warning about a missing one on every request.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path_factory.mktemp("staticfiles")


def make_org(name: str, kind: str, **extra) -> Organisation:
    if kind == Kind.TEST_LAB:
        extra.setdefault("accreditation_number", f"CNAS L{abs(hash(name)) % 100000:05d}")
        extra.setdefault("accreditation_scope", "GB/T solid-state battery tests; GB 38031-2025")
        extra.setdefault("accreditation_valid_from", dt.date(2024, 1, 1))
        extra.setdefault("accreditation_valid_until", dt.date(2030, 12, 31))
    return Organisation.objects.create(name=name, kind=kind, **extra)


def make_user(
    username: str, organisation: Organisation | None, role: str = User.Role.MEMBER, **extra
) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, organisation=organisation, role=role, **extra
    )


@pytest.fixture
def orgs(db):
    return {
        "maker": make_org("Qingdao Solid Cells", Kind.MANUFACTURER),
        "other_maker": make_org("Other Cells Co", Kind.MANUFACTURER),
        "lab": make_org("Tianjin Battery Test Centre", Kind.TEST_LAB),
        "other_lab": make_org("Shenzhen Test Lab", Kind.TEST_LAB),
        "expired_lab": make_org(
            "Lapsed Lab",
            Kind.TEST_LAB,
            accreditation_valid_from=dt.date(2020, 1, 1),
            accreditation_valid_until=dt.date(2023, 12, 31),
        ),
        "cb": make_org("China Battery Certification Centre", Kind.CERTIFICATION_BODY),
        "automaker": make_org("Great Wall Motors", Kind.AUTOMAKER),
        "regulator": make_org("SAMR", Kind.REGULATOR),
    }


@pytest.fixture
def cast(orgs):
    """Every role, plus users of other organisations of the same kinds."""
    return {
        "maker": make_user("maker", orgs["maker"]),
        "other_maker": make_user("other_maker", orgs["other_maker"]),
        "lab": make_user("lab", orgs["lab"]),
        "other_lab": make_user("other_lab", orgs["other_lab"]),
        "reviewer": make_user("reviewer", orgs["cb"], User.Role.REVIEWER),
        "reviewer2": make_user("reviewer2", orgs["cb"], User.Role.REVIEWER),
        "automaker": make_user("automaker", orgs["automaker"]),
        "regulator": make_user("regulator", orgs["regulator"]),
    }


PRODUCT_FIELDS = {
    "model_number": "QS-21700-SSB",
    "name": "Qingdao sulfide all-solid-state cell",
    "electrolyte_family": "sulfide",
    "conducting_ion": "lithium",
    "rated_capacity_ah": Decimal("50"),
    "nominal_voltage_v": Decimal("3.7"),
    "rated_energy_wh": Decimal("185"),
    "max_continuous_power_w": Decimal("555"),
    "cell_mass_g": Decimal("350"),
    "declared_liquid_electrolyte_pct": Decimal("0"),
}


@pytest.fixture
def product(cast, orgs):
    return Product.objects.create(
        manufacturer=orgs["maker"], created_by=cast["maker"], **PRODUCT_FIELDS
    )


@pytest.fixture
def submission(product, orgs, cast):
    return Submission.objects.create(
        product=product, claimed_class="all_solid_state", lab=orgs["lab"], created_by=cast["maker"]
    )


def token_key(user: User) -> str:
    """A new API token of ``user``, made as the token service makes one but without its audit
    row (as the old fixture wrote DRF's tokens), so audit tests see only what they did."""
    import datetime as dt

    from django.utils import timezone

    from certification.models import ApiToken
    from certification.tokens import token_create

    token, key = token_create(
        user=user, name="tests", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    # As if just used: query counts see no bookkeeping write on the first request.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return key


SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")


def upload_all(submission, user, profile="all_solid_state", kinds=SHEETS):
    """The four sample result sheets of ``profile``, uploaded by ``user`` through the service."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification import services
    from tests.samples import sample_sheet

    for kind in kinds:
        services.dataset_upload(
            user=user,
            submission=submission,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.csv", sample_sheet(kind, profile=profile)),
        )


def upload_read(submission, user, kind, content: bytes, name: str):
    """Upload a file through the service and, for a raw instrument file, read it as the worker
    would (``dataset_parse``; test transactions never run the after-commit hand-off)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification import services

    dataset = services.dataset_upload(
        user=user, submission=submission, kind=kind, upload=SimpleUploadedFile(name, content)
    )
    if dataset.parse_status != dataset.ParseStatus.PARSED:
        dataset = services.dataset_parse(dataset_id=dataset.pk)
    return dataset


@pytest.fixture
def api():
    """``api(user)`` is a DRF client authenticated with that user's token; ``api(None)`` is anonymous."""

    keys: dict[int, str] = {}

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            if user.pk not in keys:
                keys[user.pk] = token_key(user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {keys[user.pk]}")
        return client

    return make


@pytest.fixture
def private_broker(tmp_path):
    """A Redis broker of this test's own that it may stop and start (``tests/handoff.py``);
    this process's Celery app sends to it for the test's duration."""
    from tests.handoff import PrivateRedis, broker_at

    server = PrivateRedis(tmp_path)
    server.start()
    with broker_at(server.url):
        yield server
    server.kill()


_TRIGGERS_OFF = {"connection": False}


@pytest.fixture(autouse=True)
def _audit_log_flushable(request, django_db_blocker):
    """A transactional test ends with Django's flush, a TRUNCATE of every table, which the audit
    log's trigger refuses (certification migration 0008). For that flush only, the test's
    connection runs in PostgreSQL's replica role (no triggers fire; superusers only, as an
    administrator restoring a backup would); the next test starts in the normal role again."""
    from django.db import connection

    if _TRIGGERS_OFF["connection"]:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
        _TRIGGERS_OFF["connection"] = False
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so that it tears down after us
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    _TRIGGERS_OFF["connection"] = True
