"""Cairn's only settings module, configured through CAIRN_* environment variables.

The defaults run the embedded mode: SQLite and uploaded files in one local data directory,
a secret key generated once and kept there. PostgreSQL is one variable away
(CAIRN_DATABASE_URL).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cairn.config import (
    envbool,
    envchoice,
    envemail,
    envint,
    envlist,
    envstr,
    envurl,
    envurls,
    envzone,
)

BASE_DIR = Path(__file__).resolve().parent


def _default_data_dir() -> Path:
    xdg = envstr("XDG_DATA_HOME")
    root = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return root / "cairn"


DATA_DIR = Path(envstr("CAIRN_DATA_DIR") or _default_data_dir()).expanduser().resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(f"CAIRN_DATA_DIR {str(DATA_DIR)!r} cannot be created: {exc}") from exc

# matplotlib (the business review decks' charts) keeps its font cache in a folder of ours
# rather than the home directory, which a server account may not be able to write.
os.environ.setdefault("MPLCONFIGDIR", str(DATA_DIR / "cache" / "matplotlib"))


def _secret_key() -> str:
    configured = envstr("CAIRN_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("CAIRN_SECRET_KEY must be at least 32 characters long.")
        return configured
    # Embedded mode: make a key once and keep it beside the data, readable by the owner only,
    # so sessions survive restarts without anyone having to invent a secret.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("CAIRN_DEBUG", False)
ALLOWED_HOSTS = envlist(
    "CAIRN_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"], allow_empty=False
)
CSRF_TRUSTED_ORIGINS = envurls("CAIRN_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envurl("CAIRN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Customer links (cairn.sharing): how long one lasts by default, and how many reverse proxies
# in front of Cairn to trust for X-Forwarded-For (0: the client's address is REMOTE_ADDR).
SHARED_LINK_DAYS = envint("CAIRN_SHARED_LINK_DAYS", 14, minimum=1)
TRUSTED_PROXY_COUNT = envint("CAIRN_TRUSTED_PROXY_COUNT", 0, minimum=0)
# Dates people and integrations give (cairn.fields): from 1970 to this many years after today.
DATE_HORIZON_YEARS = envint("CAIRN_DATE_HORIZON_YEARS", 50, minimum=1)
# Usage events, tickets and survey answers happened already: their moments may run at most this
# many days ahead of now (clock skew), and not before 1970 (cairn.usage.validation).
EVENT_FUTURE_DAYS = envint("CAIRN_EVENT_FUTURE_DAYS", 2, minimum=0)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Counts failed logins and locks out guessing (cairn.people.throttle).
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Listed so the API docs page serves Swagger UI from ninja's own static files, not a CDN.
    "ninja",
    "simple_history",
    "cairn.people",
    "cairn.customers",
    "cairn.home",
    "cairn.playbooks",
    "cairn.engagements",
    "cairn.documents",
    "cairn.timeline",
    "cairn.usage",
    "cairn.metrics",
    "cairn.health",
    "cairn.health.trust",
    "cairn.forecast",
    "cairn.sharing",
    "cairn.preparation",
    "cairn.commitment",
    "cairn.proposals",
    "cairn.onboarding",
    "cairn.adoption",
    "cairn.renewals",
    "cairn.value",
    "cairn.retention",
    "cairn.expansion",
    "cairn.evaluation",
    "cairn.reviews",
    "cairn.jobs",
    "cairn.notifications",
    "cairn.webhooks",
    "cairn.automation",
    "cairn.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cairn.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cairn.people.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cairn.urls"
WSGI_APPLICATION = "cairn.wsgi.application"

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
                "cairn.navigation.navigation",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = envstr("CAIRN_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'cairn.sqlite3'}"
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"CAIRN_DATABASE_URL is not a database URL: {exc}") from exc
    engine = str(config.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers go on while one request writes; IMMEDIATE makes a writing
        # transaction take its lock up front instead of failing half-way with "locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif "postgresql" not in engine:
        raise ImproperlyConfigured(
            "CAIRN_DATABASE_URL must point to PostgreSQL (postgres://...) or SQLite (sqlite:///...)."
        )
    else:
        # No JIT compilation: it pays off for long analytical queries, and Cairn's are short;
        # on a page over 10,000 accounts compiling took longer than running (50 ms to 1 s).
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        config["OPTIONS"] = options
    config["TEST"] = {"NAME": envstr("CAIRN_TEST_DATABASE_NAME") or None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes; cairn.people.throttle). Failed logins are counted per user name
# and per address, each on its own: guessing one person's password from many addresses and
# trying many names from one address are both stopped. A lockout ends once nobody has failed
# for the cool-off time, or when an admin lifts it (Users page, `cairn unlock`). API tokens are
# not passwords and never pass through here.
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = envint("CAIRN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("CAIRN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_CALLABLE = "cairn.people.throttle.locked_out_page"
AXES_CLIENT_IP_CALLABLE = "cairn.people.throttle.client_address"
# A success leaves the counts alone: it would also clear its address's count, so someone with
# one account could log in between guesses at other people's passwords and never be stopped.
AXES_RESET_ON_SUCCESS = False
# Only failures are kept (they make the counts); nothing reads a log of every success.
AXES_DISABLE_ACCESS_LOG = True
# No start-up banner on every `cairn` command. Logs show the address of a failing login but not
# the user name typed, which is sometimes a password typed in the wrong box.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envzone("CAIRN_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (embedded mode, tests) WhiteNoise serves straight from the apps.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DATA_DIR / "files"
# Background work (metric and score refreshes after new usage data) goes through Django's
# task interface into a table of the application database; `cairn worker` runs it, and
# `cairn serve` starts one worker beside the web server unless told not to.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Product-usage events and metric time series, as Parquet (docs/analytics.md).
ANALYTICS_DIR = DATA_DIR / "analytics"
UPLOAD_MAX_BYTES = envint("CAIRN_UPLOAD_MAX_MB", 25, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if envstr("CAIRN_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = envstr("CAIRN_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("CAIRN_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = envstr("CAIRN_EMAIL_USER")
EMAIL_HOST_PASSWORD = envstr("CAIRN_EMAIL_PASSWORD")
EMAIL_USE_TLS = envbool("CAIRN_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = envemail("CAIRN_EMAIL_FROM", "cairn@localhost")

# HTTPS. `cairn serve` speaks plain HTTP; HTTPS ends at a reverse proxy, which tells the scheme
# the browser used in X-Forwarded-Proto. That header is trusted only when the operator says the
# proxy sets it: otherwise any client could claim HTTPS by sending it.
BEHIND_HTTPS_PROXY = envbool("CAIRN_BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("CAIRN_SECURE_COOKIES", BEHIND_HTTPS_PROXY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# With secure cookies Cairn is used over HTTPS: browsers are told (HSTS, sent on HTTPS answers
# only) to refuse plain HTTP to it for a year. 0 turns it off.
SECURE_HSTS_SECONDS = envint("CAIRN_HSTS_SECONDS", 31_536_000 if SESSION_COOKIE_SECURE else 0)
# Plain HTTP is redirected to HTTPS only where Django can tell which requests came over HTTPS:
# without the proxy's header every request looks plain and would be redirected forever.
SECURE_SSL_REDIRECT = envbool("CAIRN_SSL_REDIRECT", BEHIND_HTTPS_PROXY)
if SECURE_SSL_REDIRECT and not BEHIND_HTTPS_PROXY:
    raise ImproperlyConfigured(
        "CAIRN_SSL_REDIRECT needs CAIRN_BEHIND_HTTPS_PROXY=true: without the proxy telling which "
        "requests came over HTTPS, every request would be redirected again and again."
    )
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

SIMPLE_HISTORY_REVERT_DISABLED = True

_LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "cairn.logs.RefusalsInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusals_in_one_line"]},
    },
    "root": {"handlers": ["console"], "level": envchoice("CAIRN_LOG_LEVEL", "INFO", _LOG_LEVELS)},
    # axes tells every step of every login at INFO; its failures and lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
STATICFILES_DIRS = [BASE_DIR / "static"]
