"""Django settings for NomadCloud, read from the environment (see docs/configuration.md).

Defaults give a working platform on the embedded SQLite database; production sets
DATABASE_URL to PostgreSQL, a SECRET_KEY, the field-encryption keys and the allowed hosts.
Misconfiguration is reported by the system checks in ``nomadcloud/core/checks.py``.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy

from nomadcloud import settings_scale as scale
from nomadcloud.dbconfig import database_config
from nomadcloud.env import ConfigurationError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("NOMADCLOUD_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("NOMADCLOUD_DEBUG", False)

# First threshold of the cyclic garbage collector (nomadcloud/core/runtime.py); 0 keeps
# CPython's default of 700.
GC_THRESHOLD = env_int("NOMADCLOUD_GC_THRESHOLD", 20_000, minimum=0)

# A missing SECRET_KEY outside DEBUG is reported by check nomadcloud.E001; an ephemeral key
# keeps management commands usable until it is fixed.
SECRET_KEY_FROM_ENV = env_str("SECRET_KEY")
SECRET_KEY = SECRET_KEY_FROM_ENV or (
    "insecure-development-key-do-not-use-in-production" if DEBUG else secrets.token_urlsafe(50)
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
if DEBUG:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public origin of the platform, used in e-mails and (later) in did:web identifiers.
SITE_URL = env_str("NOMADCLOUD_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_countries",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "nomadcloud.core",
    "nomadcloud.accounts",
    "nomadcloud.notifications",
    "nomadcloud.payouts",
    "nomadcloud.competitions",
    "nomadcloud.consent",
    "nomadcloud.risk",
    "nomadcloud.taxonomy",
    "nomadcloud.talent",
    "nomadcloud.demands",
    "nomadcloud.matching",
    "nomadcloud.training",
    "nomadcloud.orders",
    "nomadcloud.teams",
    "nomadcloud.bounties",
    "nomadcloud.datatasks",
    "nomadcloud.points",
    "nomadcloud.proofs",
    "nomadcloud.conversations",
    "nomadcloud.incentives",
    "nomadcloud.vouchers",
    "nomadcloud.onecard",
    "nomadcloud.communities",
    "nomadcloud.datapools",
    "nomadcloud.crossborder",
    "nomadcloud.valuation",
    "nomadcloud.supervision",
    "nomadcloud.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the policies too.
    "csp.middleware.CSPMiddleware",
    "nomadcloud.core.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nomadcloud.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nomadcloud.core.replicas.ReplicaPinningMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nomadcloud.risk.middleware.SightingMiddleware",
    "nomadcloud.core.middleware.UserLanguageMiddleware",
    "nomadcloud.core.middleware.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "nomadcloud.core.idempotency.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nomadcloud.urls"
WSGI_APPLICATION = "nomadcloud.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "nomadcloud.core.context_processors.platform",
                "nomadcloud.notifications.context.unread_count",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'nomadcloud.sqlite3'}")
# Connection pooling (docs/operations.md, "Connection pooling"): "none", "psycopg" (Django's
# pool in each process) or "pgbouncer" (PgBouncer in transaction mode in front).
DB_POOL = env_str("DB_POOL", "none")
DATABASES = {
    "default": scale.pooling_options(
        database_config(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0),
            sqlite_timeout=env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20, minimum=1),
        ),
        mode=DB_POOL,
        pool_min=env_int("DB_POOL_MIN_SIZE", 2, minimum=0),
        pool_max=env_int("DB_POOL_MAX_SIZE", 10, minimum=1),
        pool_timeout=env_int("DB_POOL_TIMEOUT_SECONDS", 10, minimum=1),
    )
}
# A read replica for explicitly read-only work (nomadcloud/core/replicas.py); after a write a
# person's reads stay on the primary for REPLICA_PIN_SECONDS (longer than replication lag).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15, minimum=1)
if DATABASE_REPLICA_URL:
    DATABASES[scale.REPLICA_ALIAS] = scale.replica_config(
        DATABASES["default"],
        scale.pooling_options(
            database_config(
                DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0)
            ),
            mode=DB_POOL,
            pool_min=env_int("DB_POOL_MIN_SIZE", 2, minimum=0),
            pool_max=env_int("DB_POOL_MAX_SIZE", 10, minimum=1),
            pool_timeout=env_int("DB_POOL_TIMEOUT_SECONDS", 10, minimum=1),
        ),
    )
DATABASE_ROUTERS = ["nomadcloud.core.replicas.ReplicaRouter"]
# The explicitly read-only work a replica may answer (GET only): public feeds and catalogues,
# published figures and exports. Never state transitions, ledgers or budgets.
REPLICA_READ_ONLY_VIEWS = frozenset(
    {
        "catalogue:ckan",
        "catalogue:ckan_unversioned",
        "catalogue:catalog",
        "catalogue:dataset",
        "ocds:releases",
        "ocds:records",
        "demands:list",
        "demands:feed_json",
        "demands:feed_rss",
        "demands:export_csv",
        "onecard:catalogue",
        "onecard:catalogue_jsonld",
        "core:publicity",
        "incentives:publicity",
        "dashboard:public",
        "dashboard:public_json",
        "dashboard:export",
        "supervision:evaluation_export",
    }
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "nomadcloud.accounts.backends.EmailOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:workspace"
LOGOUT_REDIRECT_URL = "home"

# Lock-out after repeated failed logins (django-axes), per person: the e-mail address and the
# mobile number of one account share one counter (accounts.backends.lockout_identifier), from
# whatever address. Per client address and globally: THROTTLES below.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" among the lock-out parameters: the client address is
# counted by accounts/throttle.py instead, with its own, higher limit (one office behind a
# NAT must not be locked out after 5 typos), so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "nomadcloud.accounts.backends.lockout_identifier"
AXES_LOCKOUT_CALLABLE = "nomadcloud.accounts.views.locked_out"
AXES_VERBOSE = False

# Throttles (accounts/throttle.py): (events, window in seconds), counted in the "throttle"
# cache. Sign-in failures per client address are counted over the lock-out period.
THROTTLES = {
    "sign_in_failures_per_address": (
        env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1),
        int(AXES_COOLOFF_TIME.total_seconds()),
    ),
    "sign_in_global": (env_int("SIGN_IN_GLOBAL_PER_MINUTE", 600, minimum=1), 60),
    "sign_up_per_address": (env_int("SIGN_UP_ADDRESS_PER_HOUR", 10, minimum=1), 3600),
    "sign_up_global": (env_int("SIGN_UP_GLOBAL_PER_MINUTE", 60, minimum=1), 60),
    "password_reset_per_address": (env_int("PASSWORD_RESET_ADDRESS_PER_HOUR", 10, minimum=1), 3600),
    "reauthentication_failures_per_person": (
        AXES_FAILURE_LIMIT,
        int(AXES_COOLOFF_TIME.total_seconds()),
    ),
}
# How payouts reach a bank (docs/payouts.md): a dotted path to a payment adapter class.
PAYMENT_ADAPTER = env_str("NOMADCLOUD_PAYMENT_ADAPTER", "nomadcloud.payouts.adapters.FakeBank")
# One cache shared by every process and host (docs/operations.md, "Shared cache"): the
# database cache by default, Valkey/Redis by URL; "locmem://" only for one process (tests).
CACHE_URL = env_str("CACHE_URL", scale.DEFAULT_CACHE_URL)
CACHES = scale.cache_config(CACHE_URL)

# Field encryption (passport numbers): comma-separated Fernet keys, newest first.
FIELD_ENCRYPTION_KEYS = env_list("NOMADCLOUD_FIELD_KEYS")

HTTPS = env_bool("NOMADCLOUD_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("NOMADCLOUD_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_AGE_SECONDS", 14 * 24 * 3600, minimum=300)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Links to other sites get no Referer at all (page paths carry ids of demands, orders and
# credentials); the platform's own pages get the full URL.
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts and styles only from the platform's own static
# files, no inline code, styles or handlers; an inline block that must stay carries the
# per-response nonce ({{ CSP_NONCE }}; JSON data blocks such as JSON-LD are not run and need
# none). data: and blob: images are the API docs' icons and the QR scanner's photo.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Permissions-Policy (nomadcloud/core/security_headers.py): these features are off on every
# page; the camera is on for the platform's own origin only on the QR scanner's pages.
PERMISSIONS_POLICY_OFF = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
PERMISSIONS_POLICY_CAMERA_VIEWS = ["proofs:verify", "points:merchant_cashier"]

# Requests larger than these are refused with 400 before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Languages, time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "nomadcloud_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_THOUSAND_SEPARATOR = True
# Taiwan, Hong Kong and Macao are named as regions of China in both languages, never as peer
# countries (nomadcloud/accounts/countries.py sorts the list per language).
COUNTRIES_OVERRIDE = {
    "TW": gettext_lazy("Taiwan, China"),
    "HK": gettext_lazy("Hong Kong SAR, China"),
    "MO": gettext_lazy("Macao SAR, China"),
    # django-countries' English catalogue says "Naoero" and "Bahamas (The)".
    "NR": gettext_lazy("Nauru"),
    "BS": gettext_lazy("Bahamas"),
}

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
# Front-end packages from npm, copied here by `make assets` (a build output, not data).
ASSETS_DIR = Path(env_str("NOMADCLOUD_ASSETS_DIR", str(BASE_DIR / "var" / "vendor")))
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("vendor", ASSETS_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded files: on this host's disk, or in S3-compatible object storage with
# STORAGE_BACKEND=storages.backends.s3.S3Storage and STORAGE_OPTIONS (JSON; docs/operations.md).
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
STORAGES = {
    "default": {
        "BACKEND": STORAGE_BACKEND,
        "OPTIONS": scale.storage_options(STORAGE_BACKEND, env_str("STORAGE_OPTIONS")),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Text messages (one-time codes): a class with ``send(to, text)`` (nomadcloud/accounts/sms.py).
SMS_BACKEND = env_str("SMS_BACKEND", "nomadcloud.accounts.sms.ConsoleBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "NomadCloud <noreply@nomadcloud.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work -----------------------------------------------------------------------------
# "database": rows claimed by `nomadcloud db_worker` processes; "immediate": run in the request
# after commit (development and tests).
TASK_BACKEND = env_str("TASK_BACKEND", "immediate" if DEBUG else "database")
TASKS = scale.tasks_config(TASK_BACKEND)
# The Redis/Valkey queue backend (TASK_BACKEND=rq): django-tasks-rq on django-rq's queues.
RQ_QUEUES = scale.rq_queues(TASK_BACKEND, env_str("TASK_REDIS_URL"))
if RQ_QUEUES:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
# Jobs (core/jobs.py): a claimed job must show a heartbeat within JOB_LEASE_SECONDS, or the
# reaper (`nomadcloud jobs reap`, run by the scheduler) puts it back on its queue.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 300, minimum=10)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 5, minimum=1)

# --- API ----------------------------------------------------------------------------------------
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)

# --- Logging ------------------------------------------------------------------------------------
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "nomadcloud.core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}
if LOG_FORMAT not in {"text", "json"}:
    raise ConfigurationError(f"LOG_FORMAT must be 'text' or 'json', got {LOG_FORMAT!r}")

# --- Talent: certification evidence uploads -----------------------------------------------------
# Largest evidence file (PDF, JPEG, PNG) a nomad may attach to a certification application.
TALENT_EVIDENCE_MAX_BYTES = env_int("TALENT_EVIDENCE_MAX_BYTES", 5 * 1_048_576, minimum=1024)

# --- Demands: connectors ------------------------------------------------------------------------
# Outbound feed fetches refuse private, loopback, link-local and reserved addresses unless
# allowed here (whole ranges by CIDR, or everything for development and tests).
# Offline credential verification (`nomadcloud proofs verify`): a folder of DID documents
# (*.json) and pinned key files (*.keys) whose keys are trusted issuers' keys (docs/proofs.md).
PROOFS_TRUST_STORE = env_str("PROOFS_TRUST_STORE", "")
FEED_ALLOW_PRIVATE_ADDRESSES = env_bool("FEED_ALLOW_PRIVATE_ADDRESSES", False)
FEED_ALLOWED_NETWORKS = env_list("FEED_ALLOWED_NETWORKS")
FEED_TIMEOUT_SECONDS = env_int("FEED_TIMEOUT_SECONDS", 10, minimum=1)
FEED_MAX_BYTES = env_int("FEED_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
FEED_MAX_REDIRECTS = env_int("FEED_MAX_REDIRECTS", 3, minimum=0)
FEED_SYNC_INTERVAL_MINUTES = env_int("FEED_SYNC_INTERVAL_MINUTES", 60, minimum=1)
FEED_MAX_BACKOFF_MINUTES = env_int("FEED_MAX_BACKOFF_MINUTES", 24 * 60, minimum=1)
DEMAND_WEBHOOK_TOLERANCE_SECONDS = env_int("DEMAND_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)

# --- Matching ---------------------------------------------------------------------------------
# Component and relation weights as JSON, e.g. {"text": 0.3, "related": 0.4} (docs/matching.md).
try:
    MATCHING_WEIGHTS = json.loads(env_str("MATCHING_WEIGHTS", "{}"))
except json.JSONDecodeError as exc:
    raise ConfigurationError(f"MATCHING_WEIGHTS is not valid JSON: {exc}") from exc
if not isinstance(MATCHING_WEIGHTS, dict):
    raise ConfigurationError("MATCHING_WEIGHTS must be a JSON object")
MATCHING_CANDIDATES = env_int("MATCHING_CANDIDATES", 100, minimum=1)
MATCHING_RECOMMENDATIONS = env_int("MATCHING_RECOMMENDATIONS", 50, minimum=1)
MATCHING_MIN_SCORE = env_int("MATCHING_MIN_SCORE", 20, minimum=0)
MATCHING_STRONG_SCORE = env_int("MATCHING_STRONG_SCORE", 70, minimum=1)
# Sentence embeddings (docs/matching.md, "Semantic layer"): "packaged" (the model shipped in a
# package), "onnx" (MATCHING_EMBEDDING_MODEL: a directory with model.onnx, tokenizer.json and
# optionally embedding.json), "packaged+onnx" (both, joined) or "none" (lexical only). Nothing
# is ever downloaded.
MATCHING_EMBEDDINGS = env_str("MATCHING_EMBEDDINGS", "packaged")
MATCHING_EMBEDDING_MODEL = env_str("MATCHING_EMBEDDING_MODEL", "")

# --- Data-processing work (来数加工) ---------------------------------------------------------
DATATASKS_MAX_UPLOAD_BYTES = env_int("DATATASKS_MAX_UPLOAD_BYTES", 10 * 1_048_576, minimum=1024)
DATATASKS_MAX_ITEMS = env_int("DATATASKS_MAX_ITEMS", 50_000, minimum=1)
DATATASKS_LEASE_SECONDS = env_int("DATATASKS_LEASE_SECONDS", 600, minimum=30)

# --- Orders, training and conversions --------------------------------------------------------
# Days after delivery before work is accepted automatically (accept_overdue_orders).
ORDER_REVIEW_WINDOW_DAYS = env_int("ORDER_REVIEW_WINDOW_DAYS", 7, minimum=1)
# Largest training submission, deliverable or conversion document.
WORK_FILE_MAX_BYTES = env_int("WORK_FILE_MAX_BYTES", 10 * 1_048_576, minimum=1024)

# --- Points: payments at merchants (docs/points.md) ---------------------------------------
# How long a nomad's one-time payment code stays valid.
POINTS_PAYMENT_CODE_SECONDS = env_int("POINTS_PAYMENT_CODE_SECONDS", 180, minimum=30)
# How long a cashier's hold waits for confirmation before the points go back.
POINTS_CASHIER_HOLD_SECONDS = env_int("POINTS_CASHIER_HOLD_SECONDS", 300, minimum=30)
# Refused payment codes a merchant may enter per window before it must wait.
POINTS_CODE_FAILURE_LIMIT = env_int("POINTS_CODE_FAILURE_LIMIT", 20, minimum=1)
POINTS_CODE_FAILURE_WINDOW_MINUTES = env_int("POINTS_CODE_FAILURE_WINDOW_MINUTES", 10, minimum=1)
