"""Settings for the certification portal: one file, read from the environment.

With nothing set, the portal uses the embedded PostgreSQL that ``make run`` starts under
``var/pgdata`` (``scripts/demo_database.py``) and a filesystem Celery broker, so a fresh checkout
works. Set ``DATABASE_URL`` and ``CELERY_BROKER_URL`` (and ``REDIS_URL`` for the cache) for
servers of your own. The portal needs PostgreSQL: it keeps the audit chain append-only with
triggers, learns of certificate changes by NOTIFY and searches the register by trigram.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _local_secret_key() -> str:
    """A random key kept in var/ so a checkout runs without configuration; set SECRET_KEY in
    production (``manage.py check --deploy`` and the portal's own checks say so)."""
    import secrets

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env_secret("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "certification",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Public verification, the hot path: answered here, without the middleware below.
    "reports.middleware.VerifyFastPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "csp.middleware.CSPMiddleware",
    # Caps the request body by route before the CSRF check or a view reads it.
    "portal.middleware.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded server's Unix socket is its data folder (no TCP port).
EMBEDDED_DATABASE_URL = f"postgres://postgres@{quote(str(VAR_DIR / 'pgdata'), safe='')}/portal"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or EMBEDDED_DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "certification.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's ModelBackend, but the session's user is loaded with its organisation in one query.
# A session opened under the plain ModelBackend before this was set ends: its user logs in again.
AUTHENTICATION_BACKENDS = ["certification.auth.OrganisationModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served publicly: evidence is downloaded through access-checked views


def _file_storage(url: str) -> dict:
    """Where evidence and certificate PDFs are kept (Django's "default" storage).

    Empty: the filesystem under MEDIA_ROOT. ``s3://BUCKET[/PREFIX]?endpoint_url=...&region=...
    &addressing_style=path|virtual``: an S3-compatible object store through django-storages; the
    key pair comes from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or _FILE), never the URL.
    """
    from urllib.parse import parse_qs, urlsplit

    from django.core.exceptions import ImproperlyConfigured

    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"endpoint_url", "region", "addressing_style"})
    if parts.scheme != "s3" or not parts.hostname or parts.username or unknown:
        raise ImproperlyConfigured(
            f"STORAGE_URL={url!r} is not s3://BUCKET[/PREFIX]?endpoint_url=...&region=..."
            "&addressing_style=path (credentials come from AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, not the URL)"
            + (f"; unknown parameters: {', '.join(unknown)}" if unknown else "")
        )
    return {
        "BACKEND": "certification.objectstore.ObjectStorage",
        "OPTIONS": {
            "bucket_name": parts.hostname,
            "location": parts.path.strip("/"),
            "endpoint_url": query.get("endpoint_url"),
            "region_name": query.get("region"),
            "addressing_style": query.get("addressing_style"),
            "signature_version": "s3v4",
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY") or None,
            # Never replace a stored object; never hand out a link to one (evidence is served
            # through access-checked views only, certification/storage.py).
            "file_overwrite": False,
            "querystring_auth": False,
            "default_acl": None,
            # A file opened through the storage API is spooled to disk above 8 MiB, not held in
            # memory (django-storages' default keeps it all in memory).
            "max_memory_size": 8 * 1024 * 1024,
        },
    }


STORAGE_URL = env_str("STORAGE_URL")
STORAGES = {
    "default": _file_storage(STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served as they are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# Uploads: result sheets are small; raw cycler files can reach hundreds of MB and are streamed
# to disk by Django's TemporaryFileUploadHandler above FILE_UPLOAD_MAX_MEMORY_SIZE.
SHEET_MAX_BYTES = env_int("SHEET_MAX_BYTES", 5 * 1024 * 1024)
SHEET_MAX_ROWS = env_int("SHEET_MAX_ROWS", 100_000)
RAW_DATA_MAX_BYTES = env_int("RAW_DATA_MAX_BYTES", 1024 * 1024 * 1024)
REPORT_MAX_BYTES = env_int("REPORT_MAX_BYTES", 50 * 1024 * 1024)
# Every request body but an evidence upload or a certificate file check (portal/middleware.py).
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# HTTPS: a production SITE_URL is https://, and these follow it unless set (docs: README,
# docker/.env.example). Behind a TLS-terminating proxy, SECURE_PROXY_SSL_HEADER=1 trusts its
# X-Forwarded-Proto; only set it when the proxy always sets that header itself.
_HTTPS = not DEBUG and SITE_URL.startswith("https://")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): only the portal's own scripts, styles, fonts and images.
# Inline style attributes stay allowed (a progress bar's width); no inline script anywhere. The
# API's Redoc page relaxes it for itself (portal/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication, the user loaded with its organisation in the same query.
        "certification.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["certification.api.filtering.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "certification.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "certification.api.errors.exception_handler",
    # Verification is public: limited per client address; one bulk call of 1,000 counts once.
    "DEFAULT_THROTTLE_RATES": {
        "verify": env_str("VERIFY_RATE", "120/min"),
        "verify_bulk": env_str("VERIFY_BULK_RATE", "30/min"),
    },
    # Proxies in front of the portal; 0 trusts no X-Forwarded-For (a client could forge it).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "DEFAULT_PARSER_CLASSES": [
        "certification.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Every timestamp in the portal's zone with its offset (certification/timestamps.py).
    "DEFAULT_RENDERER_CLASSES": ["certification.api.renderers.PortalJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Solid-state battery certification portal API",
    "DESCRIPTION": "Products, submissions, result sheets and evaluations. "
    "Authenticate with POST /api/v1/auth/token/ and send `Authorization: Token <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and Redoc served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from Swagger's online validator (validator.swagger.io): nothing from outside.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "certification.api.schema.document_error_answers",
    ],
}

# Celery: an embedded filesystem broker when no CELERY_BROKER_URL is set, so the demo still
# evaluates in a separate worker process without Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    # kombu does not create its folders; the web and the worker process both need them.
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A web request never waits long for a broker that is away: the row is the hand-off,
        # and the sweep sends it later (certification/handoff.py).
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # A message taken by a worker that died is delivered again after this long; the
        # evaluation's lease and the sweep usually take it over well before.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # state lives in our tables, not in a result backend
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None  # only bench/ sets one
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each rendering step at INFO; only its warnings are worth a log line.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# API tokens (certification/tokens.py) expire this many days after they are made.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

# Failed sign-ins (page and API) before the account, or the address, must wait
# SIGNIN_LOCKOUT_SECONDS from its last failure (certification/signin.py).
SIGNIN_MAX_FAILURES_PER_ACCOUNT = env_int("SIGNIN_MAX_FAILURES_PER_ACCOUNT", 5)
SIGNIN_MAX_FAILURES_PER_ADDRESS = env_int("SIGNIN_MAX_FAILURES_PER_ADDRESS", 20)
SIGNIN_LOCKOUT_SECONDS = env_int("SIGNIN_LOCKOUT_SECONDS", 900)

# The rule set evaluations use: the newest version of this code in force on the submission day.
CERTIFICATION_RULESET = env_str("CERTIFICATION_RULESET", "gbt-ssb-2026")

# Certificates: numbers look like SSB-2026-000123; expiry is checked hourly by Celery beat.
CERTIFICATE_NUMBER_PREFIX = env_str("CERTIFICATE_NUMBER_PREFIX", "SSB")
# Public verification answers from each web process's copy of the certificate rows, emptied by
# PostgreSQL notifications on every change and not used while the process's listener is down
# (reports/livecache.py). As a last safety net an entry also lapses after this many seconds;
# 0 reads the database on every request.
VERIFY_CACHE_SECONDS = env_int("VERIFY_CACHE_SECONDS", 300)
# Hand-offs to the workers (certification/handoff.py): work still owed this long after it was
# handed over (or, for an evaluation, a worker that took it and stopped renewing its lease this
# long) is sent again by the sweeps, which beat runs every SWEEP_INTERVAL_SECONDS.
HANDOFF_DEADLINE_SECONDS = env_int("HANDOFF_DEADLINE_SECONDS", 60)
EVALUATION_LEASE_SECONDS = env_int("EVALUATION_LEASE_SECONDS", 120)
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 60)
# The hour (0-23, in TIME_ZONE) at which beat sends the daily digests.
DIGEST_HOUR = env_int("DIGEST_HOUR", 8)
if not 0 <= DIGEST_HOUR <= 23:
    raise ValueError(f"DIGEST_HOUR must be an hour from 0 to 23, not {DIGEST_HOUR}")
CELERY_TIMEZONE = TIME_ZONE  # crontab hours are the portal's hours
CELERY_BEAT_SCHEDULE = {
    "expire-certificates": {"task": "reports.expire_certificates", "schedule": 3600.0},
    "sweep-evaluations": {
        "task": "certification.sweep_evaluations",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "sweep-impact-analyses": {
        "task": "certification.sweep_impact_analyses",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "sweep-parses": {
        "task": "certification.sweep_parses",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "sweep-reports": {"task": "reports.sweep", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    # A signed checkpoint of the audit log every hour (reports/audit_checkpoints.py).
    "audit-checkpoint": {"task": "reports.publish_audit_checkpoint", "schedule": 3600.0},
    # The daily digest e-mail at DIGEST_HOUR, the portal's time (reports/digest.py).
    "daily-digest": {
        "task": "reports.send_daily_digests",
        "schedule": crontab(minute=0, hour=DIGEST_HOUR),
    },
}

# Certificates are issued as credentials signed with Ed25519 (reports/signing.py). Production sets
# SIGNING_PRIVATE_KEY (PEM) or SIGNING_PRIVATE_KEY_FILE; a checkout without them gets a development
# key generated once into var/, so the web and worker processes sign with the same key.


def _local_signing_key() -> str:
    import os

    path = VAR_DIR / "signing_key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.touch(mode=0o600, exist_ok=False)
        temporary.write_bytes(pem)
        try:
            # link() never replaces: if another process got there first, its key wins.
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text(encoding="utf-8")


SIGNING_PRIVATE_KEY_PEM = env_secret("SIGNING_PRIVATE_KEY") or _local_signing_key()
# After a key rotation: the public keys (PEM blocks, one after another) of earlier signing keys,
# so certificates signed with them still verify and their keys stay published by key id.
SIGNING_RETIRED_PUBLIC_KEYS_PEM = env_secret("SIGNING_RETIRED_PUBLIC_KEYS")

# Automakers' webhooks: signed deliveries retried with doubling back-off from this base.
WEBHOOK_RETRY_BASE_SECONDS = float(env_str("WEBHOOK_RETRY_BASE_SECONDS", "30"))
# Webhooks to private networks and loopback are refused unless this is on (tests, a demo on one
# machine); DEBUG does not turn it on. Other special-purpose addresses are refused regardless.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
