"""Settings for the learning-review action tracker, all read from the environment.

With nothing set it runs on the embedded default: SQLite, Celery tasks in-process,
email to the console. DATABASE_URL switches to PostgreSQL and REDIS_URL to a real
Celery broker and result backend.
"""

from __future__ import annotations

import os
from pathlib import Path

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
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "accounts",
    "reviews",
    "actions",
    "governance",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user; only views marked login_not_required
    # (the sign-in page) are open.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
            ],
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evidence and issued papers live here: outside STATIC_ROOT and never served by URL,
# only through views that check access.
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PRIVATE_STORAGE_ROOT", BASE_DIR / "var" / "private"))
EVIDENCE_MAX_UPLOAD_BYTES = int(os.environ.get("EVIDENCE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
EVIDENCE_MAX_FILES_PER_UPLOAD = int(os.environ.get("EVIDENCE_MAX_FILES_PER_UPLOAD", "10"))
# Office files are zip containers: refuse any whose directory promises more than this.
EVIDENCE_ZIP_MAX_ENTRIES = int(os.environ.get("EVIDENCE_ZIP_MAX_ENTRIES", "2000"))
EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES", 250 * 1024 * 1024)
)
# Optional ClamAV daemon: "tcp://127.0.0.1:3310" or "unix:///run/clamav/clamd.ctl".
# Unset: uploads are not scanned and a notice is logged for each.
CLAMAV_ADDRESS = os.environ.get("CLAMAV_ADDRESS", "")
CLAMAV_TIMEOUT = float(os.environ.get("CLAMAV_TIMEOUT", "30"))
# Optional nginx offload of downloads: the internal location that maps to
# PRIVATE_STORAGE_ROOT, e.g. "/protected/". Empty: Django streams the file itself.
EVIDENCE_X_ACCEL_REDIRECT_PREFIX = os.environ.get("EVIDENCE_X_ACCEL_REDIRECT_PREFIX", "")
# Action plans imported from Excel or CSV: refused above this size.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
# Uploads above this size are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

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
# Redis redelivers a task not acknowledged within its visibility timeout; the periodic
# scan is short and idempotent, so a redelivery is harmless.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
from trackerapp.beat_schedule import BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# Committee papers: a build that runs longer than this is stopped (and may be retried).
PAPER_BUILD_TIME_LIMIT = int(os.environ.get("PAPER_BUILD_TIME_LIMIT", "300"))

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

SERVICE_NAME = "Learning review action tracker"
# Absolute links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Reminder ladder defaults (DESIGN §6); an administrator can change them in the admin.
REMINDER_DUE_SOON_DAYS = [30, 14, 7]
REMINDER_ESCALATE_TO_PROVIDER_DAYS = 14
REMINDER_ESCALATE_TO_FORUM_DAYS = 30
REMINDER_CALL_FOR_PAPERS_DAYS = 7
REMINDER_EVIDENCE_REVIEW_DAYS = 10
# A claimed reminder not marked sent after this long was lost in a crash: send it again.
REMINDER_CLAIM_TIMEOUT_MINUTES = 15
REMINDER_DIGEST_ITEMS_PER_SECTION = 50
# Weekly digests of the non-urgent rungs go out on this weekday (0 = Monday).
REMINDER_WEEKLY_DIGEST_WEEKDAY = 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint's font subsetting logs every table it reads at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
