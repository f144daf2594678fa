"""Settings for the learning-review action tracker, all read from the environment.

With nothing set it runs on the embedded default: SQLite, Celery tasks in-process,
email to the console. DATABASE_URL switches to PostgreSQL and REDIS_URL to a real
Celery broker and result backend.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Local use is the default: DEBUG on, a development key. Anything deployed sets
# DEBUG=false, and then a real SECRET_KEY is required rather than silently defaulted.
DEBUG = env_bool("DEBUG", True)
_DEV_SECRET_KEY = "local-development-only-not-secret"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
# The same test as `check --deploy` (security.W009), made fatal: a guessable key signs
# every session. Generate one with `python -c "import secrets; print(secrets.token_urlsafe(50))"`.
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 random characters when DEBUG is off."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS and browser protections. Deployed (DEBUG off) the site is HTTPS only, its cookies
# never travel over plain http and browsers are told to insist on HTTPS for a year;
# `make run` (DEBUG on) stays on plain http at 127.0.0.1. `.ci/run` holds the deployed
# settings to `manage.py check --deploy --fail-level WARNING`.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Behind a proxy that terminates TLS: the header it sets to "https", e.g. X-Forwarded-Proto.
# Set it only if the proxy always overwrites that header, or anyone could claim HTTPS.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by trackerapp.middleware.SecurityHeadersMiddleware. Scripts and styles come only
# from our own static files: no inline script or style, no eval (htmx runs with
# allowEval off and adds no indicator styles; see base.html). No page uses data: images.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

INSTALLED_APPS = [
    "trackerapp.admin_site.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "mfa",
    "reviews",
    "actions",
    "governance",
    "imports",
    "audit",
    "search",
    "api",
    "feeds",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's own files, served from our static files (no CDN in production).
    "drf_spectacular_sidecar",
    "axes",
    # After the apps it fills: load_demo (fixtures/demo).
    "demo",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before host checks, HTTPS redirects and sessions
    # (a load balancer probes each node by its address over http).
    "trackerapp.health.HealthCheckMiddleware",
    # Gives each request an id for the logs and the X-Request-ID header.
    "trackerapp.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise so that static files carry the CSP too.
    "trackerapp.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user; only views marked login_not_required
    # (the sign-in page) are open.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A password alone is not enough: until the second factor is checked, only the
    # enrolment and verification pages answer (NHS MFA policy).
    "django_otp.middleware.OTPMiddleware",
    "mfa.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends idle and over-long sessions; after MessageMiddleware to say why.
    "accounts.sessions.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Lets the audit log name who changed a membership or permission.
    "audit.middleware.AuditRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the explanatory page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trackerapp.urls"
WSGI_APPLICATION = "trackerapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "mfa.context_processors.second_factor",
            ],
            # The project's own tags (status tags, form fields, the access question),
            # used by every app's templates, so they belong to no one app.
            "libraries": {"tracker": "trackerapp.templatetags.tracker"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Long passwords are welcome (no maximum; a passphrase of three random words is the
# advice) and the common and breached-pattern ones are refused. There is deliberately no
# forced rotation or expiry (NCSC and NIST SP 800-63B): a password is changed when it may
# have been exposed, and an administrator can end a person's sessions at once.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.BreachedPatternValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (django-axes), three counts of wrong passwords in the cool-off, each
# with its own limit (accounts.throttling.SignInThrottle; the policy is in SECURITY.md):
# - one username from one address: AXES_FAILURE_LIMIT, a person mistyping;
# - one username from any address: SIGN_IN_ACCOUNT_FAILURE_LIMIT, guessing at one
#   account from many addresses. Higher, since anyone can spend it to lock the owner out;
# - any usernames from one address: SIGN_IN_ADDRESS_FAILURE_LIMIT, one address trying
#   many accounts. Higher again: a whole NHS site may share one address.
# Past a limit, that sign-in is refused for the cool-off, even with the right password;
# the sign-in page says so (accounts.views.sign_in_locked_out) and the audit log records
# it. A right password clears that account's failures; an administrator can clear a
# lock-out early under "Access attempts" in the admin or with `manage.py axes_reset_*`.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out attempt before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.throttling.SignInThrottle"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
SIGN_IN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ACCOUNT_FAILURE_LIMIT", "10"))
SIGN_IN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Built from the limits above when asked, so a limit of 0 turns its count off.
AXES_LOCKOUT_PARAMETERS = "accounts.throttling.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lock-out do not restart it, so "try again in 15 minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in_locked_out"
# Cuts a username to the length axes stores, so an over-long one is counted, not a 500.
AXES_USERNAME_CALLABLE = "accounts.throttling.attempt_username"
# The audit log is the record of sign-ins; axes keeps only the failure counts.
AXES_DISABLE_ACCESS_LOG = True
# The client address is REMOTE_ADDR, as in the audit log: behind a proxy, the proxy sets
# it (gunicorn --forwarded-allow-ips); a client-supplied X-Forwarded-For is not trusted.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Password reset by email: at most PASSWORD_RESET_EMAILS_PER_ACCOUNT emails to one
# account, and PASSWORD_RESET_REQUESTS_PER_ADDRESS requests from one address, in any
# PASSWORD_RESET_WINDOW. Past either, the page says the same as always and no email goes
# (accounts.services.password_reset_request; SECURITY.md).
PASSWORD_RESET_EMAILS_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_EMAILS_PER_ACCOUNT", "3"))
PASSWORD_RESET_REQUESTS_PER_ADDRESS = int(
    os.environ.get("PASSWORD_RESET_REQUESTS_PER_ADDRESS", "10")
)
PASSWORD_RESET_WINDOW = timedelta(
    minutes=int(os.environ.get("PASSWORD_RESET_WINDOW_MINUTES", "60"))
)
# A session ends after this long without a request, and this long after sign-in however
# busy (accounts.sessions.SessionLifetimeMiddleware, which says which on the sign-in page).
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", "30")))
SESSION_ABSOLUTE_LIFETIME = timedelta(
    hours=int(os.environ.get("SESSION_ABSOLUTE_LIFETIME_HOURS", "12"))
)
# The stored session outlives the idle timeout so that the middleware can still tell the
# person why it ended; it is gone this long after the last request in any case. The
# cookie itself goes when the browser closes (shared NHS computers).
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor sign-in (TOTP, with single-use recovery codes) for every account, as NHS
# policy asks of systems holding confidential data. Only the local demo (`make run`)
# may switch it off, and only with DEBUG on; every page then says so.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
if not MFA_REQUIRED and not DEBUG:
    raise ImproperlyConfigured("MFA_REQUIRED=false is for the local demo only and needs DEBUG on.")
OTP_TOTP_ISSUER = "Learning review tracker"

# bench/bench_http.py only: mounts /bench/signed-in/, a page that does nothing but pass
# the request through every middleware (session, sign-in, second factor), as the
# reference the benchmark measures the real pages against. Never set in a deployment.
BENCH_REFERENCE_VIEW = env_bool("BENCH_REFERENCE_VIEW", False)
# Figures about the portfolio and drawings of the busiest pages are kept (in the cache)
# per person until the portfolio next changes (docs/performance.md). Off, every request
# works them out as the first request after a write does: bench/bench_http.py --fresh
# measures that. Keep it on in a deployment.
KEEP_PORTFOLIO_FIGURES = env_bool("KEEP_PORTFOLIO_FIGURES", True)
# How long a kept drawing of a page may go unread before the cache lets it go; a write
# to the portfolio makes it unreachable at once, whatever is left of this.
KEPT_DRAWING_SECONDS = 60 * 60
# Accept one 30-second step either side of the server's clock, but never learn a drift:
# a code is only ever matched near real time, and each step is accepted once (last_t).
OTP_TOTP_SYNC = False
# Wrong codes lock the device for 1, 2, 4, 8 ... seconds (django-otp's back-off).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin lists devices but never shows their secret keys or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# With DEBUG off WhiteNoise serves the collected files under their content-hashed names
# with `Cache-Control: max-age=315360000, public, immutable`; tests/production checks it.

# Evidence and issued papers live here: outside STATIC_ROOT and never served by URL,
# only through views that check access.
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PRIVATE_STORAGE_ROOT", BASE_DIR / "var" / "private"))
# With STORAGE_S3_BUCKET set they go to that S3 (or S3-compatible) bucket instead, which
# every web node and worker shares; the bucket stays private (no ACL is set on objects,
# so the bucket's own policy applies) and files still reach a browser only through the
# access-checked views, streamed by Django. Credentials come from the usual AWS
# variables or the instance's role.
STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET", "")
if STORAGE_S3_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("STORAGE_S3_REGION") or None,
            "location": os.environ.get("STORAGE_S3_PREFIX", ""),
            "addressing_style": os.environ.get("STORAGE_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,
            # Stored names are random; never replace an object that happens to exist.
            "file_overwrite": False,
            # Nothing links to the bucket, but should a URL ever be made it expires soon.
            "querystring_auth": True,
            "querystring_expire": 60,
            # A download is spooled to disk beyond this, not held in a worker's memory.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
else:
    STORAGES["private"] = {"BACKEND": "trackerapp.storage.PrivateFileSystemStorage"}
EVIDENCE_MAX_UPLOAD_BYTES = int(os.environ.get("EVIDENCE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
EVIDENCE_MAX_FILES_PER_UPLOAD = int(os.environ.get("EVIDENCE_MAX_FILES_PER_UPLOAD", "10"))
# Office files are zip containers: refuse any with more members than this, or whose
# members really unpack (counted as they are read, whatever the zip's directory says)
# to more than this in all.
EVIDENCE_ZIP_MAX_ENTRIES = int(os.environ.get("EVIDENCE_ZIP_MAX_ENTRIES", "2000"))
EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES", 250 * 1024 * 1024)
)
# A member whose directory says it expands more than this many times its compressed
# size is refused unread: documents compress a few times, zip bombs thousands.
EVIDENCE_ZIP_MAX_RATIO = int(os.environ.get("EVIDENCE_ZIP_MAX_RATIO", "200"))
# PDFs are parsed, not scanned as bytes: refuse any with more objects than this, any whose
# object streams (together) or any cross-reference stream expand beyond this, or whose
# check runs longer. Page content and images are never decoded.
EVIDENCE_PDF_MAX_OBJECTS = int(os.environ.get("EVIDENCE_PDF_MAX_OBJECTS", "100000"))
EVIDENCE_PDF_MAX_DECODED_BYTES = int(
    os.environ.get("EVIDENCE_PDF_MAX_DECODED_BYTES", 64 * 1024 * 1024)
)
EVIDENCE_PDF_CHECK_SECONDS = float(os.environ.get("EVIDENCE_PDF_CHECK_SECONDS", "10"))
# The content checks run in a child process with these bounds (trackerapp.bounded): a
# file that needs more memory or time than this to check is refused, and the web worker
# never grows or stalls past its request timeout because of one upload.
EVIDENCE_CHECK_MEMORY_BYTES = int(os.environ.get("EVIDENCE_CHECK_MEMORY_BYTES", 384 * 1024 * 1024))
EVIDENCE_CHECK_CPU_SECONDS = int(os.environ.get("EVIDENCE_CHECK_CPU_SECONDS", "10"))
EVIDENCE_CHECK_SECONDS = float(os.environ.get("EVIDENCE_CHECK_SECONDS", "15"))
# Optional ClamAV daemon: "tcp://127.0.0.1:3310" or "unix:///run/clamav/clamd.ctl".
# Unset: uploads are not scanned and a notice is logged for each.
CLAMAV_ADDRESS = os.environ.get("CLAMAV_ADDRESS", "")
CLAMAV_TIMEOUT = float(os.environ.get("CLAMAV_TIMEOUT", "30"))
# Optional nginx offload of downloads: the internal location that maps to
# PRIVATE_STORAGE_ROOT, e.g. "/protected/". Empty: Django streams the file itself.
EVIDENCE_X_ACCEL_REDIRECT_PREFIX = os.environ.get("EVIDENCE_X_ACCEL_REDIRECT_PREFIX", "")
# Action plans imported from Excel or CSV: refused above this size.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
# The same limits for an imported .xlsx, checked before openpyxl reads any of it.
IMPORT_ZIP_MAX_ENTRIES = int(os.environ.get("IMPORT_ZIP_MAX_ENTRIES", "2000"))
IMPORT_ZIP_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("IMPORT_ZIP_MAX_UNCOMPRESSED_BYTES", 120 * 1024 * 1024)
)
# Evidence and imports alike: the part of an Office file that lists its parts
# ([Content_Types].xml, or an OpenDocument's mimetype) is read into memory. A real one
# is a few KB (a line per part, and parts are limited in number), so a larger one is
# not an Office file.
UPLOAD_ZIP_INDEX_PART_MAX_BYTES = int(
    os.environ.get("UPLOAD_ZIP_INDEX_PART_MAX_BYTES", 2 * 1024 * 1024)
)
# Uploads above this size are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The REST API (api/, docs/api.md): personal tokens or a verified session, the access
# policy's answers, keyset pages, JSON answers (no browsable API: it scripts inline).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedInWithinScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON, and form posts (a spreadsheet macro or Power Automate may send those).
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
# Requests per token (or per signed-in person) in any window: "120/minute", "5000/hour".
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "120/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Learning review action tracker API",
    "DESCRIPTION": (
        "Reviews, recommendations, actions, progress updates, evidence metadata, forums, "
        "meetings and committee papers, as the person the token belongs to sees them. "
        "Send `Authorization: Bearer <token>` (create one on your account page)."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
    "SERVE_PERMISSIONS": ["api.permissions.SignedInWithinScope"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files from our own static files (drf-spectacular-sidecar): there is
    # no CDN in production and the CSP allows only 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayRequestDuration": True},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {"ActionStatus": "actions.choices.Status"},
}
# The API's request counts: shared by every web node in Redis when there is one.
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api_throttle": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("REDIS_URL", ""),
            "KEY_PREFIX": "tracker",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}

# Audit entries are deleted this many days after they were written (audit_prune, daily):
# seven years by default, as for other safeguarding records. 0 keeps them all.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "2555"))

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "600"))
# Web requests publish to the broker (a paper build), so every broker call is bounded: an
# unreachable Redis must cost the secretary seconds, not a hung request. Without these,
# redis-py waits for ever on a Redis that accepts and never answers, or a host that drops
# packets. A refused connection fails at once; otherwise a publish costs at most about
# (BROKER_PUBLISH_RETRIES + 1) x the connect or socket timeout.
BROKER_CONNECT_TIMEOUT = float(os.environ.get("BROKER_CONNECT_TIMEOUT", "2"))
BROKER_SOCKET_TIMEOUT = float(os.environ.get("BROKER_SOCKET_TIMEOUT", "5"))
BROKER_PUBLISH_RETRIES = int(os.environ.get("BROKER_PUBLISH_RETRIES", "1"))
# Redis redelivers a task not acknowledged within its visibility timeout; the periodic
# scan is short and idempotent, so a redelivery is harmless. The socket timeout must stay
# well above kombu's one-second BRPOP poll, which it also bounds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": BROKER_PUBLISH_RETRIES,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# The result backend is the same Redis; Celery's own defaults are no connect timeout and
# a two-minute command timeout.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_SOCKET_TIMEOUT
from trackerapp.beat_schedule import BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# Committee papers: a build that runs longer than this is stopped (and may be retried).
PAPER_BUILD_TIME_LIMIT = int(os.environ.get("PAPER_BUILD_TIME_LIMIT", "300"))
# A build still waiting for a worker after this many seconds has most likely lost its
# message (or no worker is running): the secretary may ask for it again.
PAPER_BUILD_QUEUE_TIMEOUT = int(os.environ.get("PAPER_BUILD_QUEUE_TIMEOUT", "300"))
# With no broker (tasks run in-process) a paper is built in a thread of the web process
# after the response, so the secretary sees its progress instead of a request that hangs
# until the PDF is done. With a broker the worker builds it and this is never used.
PAPER_BUILD_IN_BACKGROUND = os.environ.get(
    "PAPER_BUILD_IN_BACKGROUND", "false" if REDIS_URL else "true"
).lower() in {"1", "true", "yes"}

# Similar recommendations (docs/repeated-learning.md): a write hands the recompute to the
# worker this many seconds later, so a burst of edits is one recompute.
SIMILARITY_DEBOUNCE_SECONDS = int(os.environ.get("SIMILARITY_DEBOUNCE_SECONDS", "10"))

# Email: SMTP when EMAIL_HOST is set, otherwise printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
# Seconds any one SMTP operation (connect, greeting, each command) may take. Without it a
# mail server that accepts the connection and never answers holds the reminder run for
# good.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

SERVICE_NAME = "Learning review action tracker"
# Absolute links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Reminder ladder defaults (docs/reminders.md); an administrator can change them in the admin.
REMINDER_DUE_SOON_DAYS = [30, 14, 7]
REMINDER_ESCALATE_TO_PROVIDER_DAYS = 14
REMINDER_ESCALATE_TO_FORUM_DAYS = 30
REMINDER_CALL_FOR_PAPERS_DAYS = 7
REMINDER_EVIDENCE_REVIEW_DAYS = 10
# A claimed reminder is leased to its run for this long, renewed before each digest; a
# lease that runs out was lost in a crash and the next run sends it. (On PostgreSQL the
# run lock tells sooner: a run that holds it knows every other claim is a dead run's.)
REMINDER_CLAIM_LEASE_SECONDS = 90
# A run stops starting new digests after this long and leaves the rest, unclaimed, to the
# next run; with EMAIL_TIMEOUT this bounds how long a run holds the run lock.
REMINDER_RUN_MAX_SECONDS = int(os.environ.get("REMINDER_RUN_MAX_SECONDS", "120"))
# Temporary failures (4xx, a dropped connection) are retried after 5, 10, 20, 40 ...
# minutes; after this many attempts the reminder is marked failed and shown in the app.
REMINDER_MAX_ATTEMPTS = 6
REMINDER_RETRY_BACKOFF_SECONDS = 300
REMINDER_DIGEST_ITEMS_PER_SECTION = 50
# Weekly digests of the non-urgent rungs go out on this weekday (0 = Monday).
REMINDER_WEEKLY_DIGEST_WEEKDAY = 0

# Logs go to standard error, one line per event. LOG_FORMAT=json makes each line one JSON
# object (time, level, logger, message, request id, user id) for a log collector; the
# default is plain text for a person at a terminal (trackerapp.logs). Expected refusals
# (403, 404) are logged as one line, never with a traceback.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "trackerapp.logs.RequestContextFilter"},
        "no_traceback_for_refusals": {"()": "trackerapp.logs.NoTracebackForRefusalsFilter"},
        "redact_secrets": {"()": "trackerapp.logs.RedactSecretsFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "trackerapp.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context", "no_traceback_for_refusals", "redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint's font subsetting logs every table it reads at INFO.
        "fontTools": {"level": "WARNING"},
        # Django's own "django" handlers (console with DEBUG, mail_admins without) would
        # print a second copy of every request error; ours is the only one.
        "django": {"handlers": [], "propagate": True},
    },
}

# Optional error reporting: SENTRY_DSN sends unhandled errors (not 403s or 404s) to
# Sentry or a compatible service. Off when unset. No personal data is sent: no user
# names, addresses, cookies or request bodies; only the user's id.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    # Imported only when used: sentry-sdk is optional.
    from trackerapp.logs import sentry_init  # noqa: E402

    sentry_init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
