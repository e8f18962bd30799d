"""Django settings, read from the environment.

KCITY_MODE=demo (default) runs with DEBUG and a generated secret kept in the data folder;
KCITY_MODE=production turns DEBUG off, secures cookies and refuses to start without a real
SECRET_KEY. DATABASE_URL picks the database (default: SQLite in the data folder).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("KCITY_DATA_DIR", PROJECT_DIR / "var"))

MODE = os.environ.get("KCITY_MODE", "demo")
if MODE not in {"demo", "production"}:
    raise ImproperlyConfigured(f"KCITY_MODE must be 'demo' or 'production', not {MODE!r}")
PRODUCTION = MODE == "production"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if PRODUCTION:
        if len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 5:
            raise ImproperlyConfigured(
                "KCITY_MODE=production needs a real SECRET_KEY (50+ random characters)."
            )
        return key
    if key:
        return key
    # The demo keeps one generated key so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = not PRODUCTION and os.environ.get("KCITY_DEBUG", "1") == "1"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h] or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "kcity.core",
    "kcity.accounts",
    "kcity.programs",
    "kcity.portfolio",
    "kcity.applications",
    "kcity.evaluation",
    "kcity.selection",
    "kcity.projects",
    "kcity.opendata",
    "django_tasks",
    "django_tasks_db",
    "kcity.jobs",
    "kcity.site",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_ratelimit",
    "ninja",  # serves Swagger UI's files for /api/v1/docs from the portal (no CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kcity.core.uploads.KeepUploadNamesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kcity.accounts.middleware.TwoFactorMiddleware",
    "kcity.core.context.AuditContextMiddleware",  # the address and user of audit entries
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into the lock-out page
]

ROOT_URLCONF = "kcity.site.urls"
WSGI_APPLICATION = "kcity.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kcity.sqlite3'}"),
        conn_max_age=int(os.environ.get("KCITY_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite (the demo) serves a web process and a `kcity worker` at once. WAL lets readers go on
# while one connection writes; every transaction starts with BEGIN IMMEDIATE, so it takes the
# write lock first and waits its turn (up to `timeout` seconds) instead of failing with
# "database is locked" when a reader in a deferred transaction tries to become a writer.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"  # applicants see whether they may apply
LOGOUT_REDIRECT_URL = "opendata:home"

# Argon2 for new and changed passwords; a PBKDF2 hash still checks and is rehashed with
# Argon2 at the next log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes first: it refuses a locked-out account before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kcity.accounts.backends.UserBackend",  # the user with their organisation, one query
    # Only for sessions made before UserBackend (it never checks a password: see backends).
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# Stored in UTC, shown in Korean time: deadlines are announced in KST.
USE_TZ = True
TIME_ZONE = "Asia/Seoul"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "K-City Network <noreply@kcitynetwork.kr>"
)

# Background jobs (e-mails, receipt PDFs) are rows in this database, written in the same
# transaction as the change that causes them, and run by `kcity worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KCITY_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# gunicorn for `kcity serve --production`: processes, and threads per process (gthread when
# more than one: a thread waiting for PostgreSQL lets another use the core; keep-alive).
KCITY_WEB_WORKERS = int(os.environ.get("KCITY_WEB_WORKERS", "3"))
KCITY_WEB_THREADS = int(os.environ.get("KCITY_WEB_THREADS", "4"))
# A `kcity worker` starts afresh (exec, same process id) after this many jobs (0: never) or
# once a job leaves it above this resident size. It renders PDFs in short-lived children
# (kcity.core.pdf), so its memory stays flat; the size limit is the safety net.
KCITY_WORKER_MAX_JOBS = int(os.environ.get("KCITY_WORKER_MAX_JOBS", "0"))
KCITY_WORKER_MAX_MEMORY_MB = int(os.environ.get("KCITY_WORKER_MAX_MEMORY_MB", "250"))
# CPU seconds the worker may spend on one scenario's explanations; an answer not proven
# smallest within them is reported as bounds (0: no limit).
KCITY_EXPLAIN_SECONDS = float(os.environ.get("KCITY_EXPLAIN_SECONDS", "120"))
# Proposal documents: the largest upload accepted, and the address used in e-mailed links.
KCITY_MAX_UPLOAD_BYTES = int(os.environ.get("KCITY_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
KCITY_SITE_URL = os.environ.get("KCITY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# A cache that every portal process shares (Redis, e.g. redis://127.0.0.1:6379/0). Sessions
# are then read from it and written through to the database (`cached_db`), so a log-out is
# seen by every process at once. Without it, sessions live in the database alone: a cache
# per process would keep serving a session another process has ended.
KCITY_CACHE_URL = os.environ.get("KCITY_CACHE_URL", "")
if KCITY_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KCITY_CACHE_URL,
            "KEY_PREFIX": os.environ.get("KCITY_CACHE_PREFIX", "kcity"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without a shared cache each process keeps its own (the demo runs one process).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rate limits (django-ratelimit) on what a stranger can repeat cheaply and we pay for:
# registrations, password-reset e-mails, invitation links, log-ins. Counted in the default cache per
# client address (the lock-out's address, below) and, for registration and password reset,
# per e-mail address entered too (no inbox gets flooded, whoever asks). "N/P": N requests per
# period P (s, m, h, d, e.g. "10/h", "5/15m"); "off" turns one limit off. A limited request
# gets a 429 page (kcity.accounts.throttle) and changes nothing.
_RATE_OFF = {"", "0", "off", "none"}


def _rate(name: str, default: str) -> str | None:
    value = os.environ.get(name, default).strip()
    return None if value.lower() in _RATE_OFF else value


KCITY_RATE_LIMITS = {
    "register_ip": _rate("KCITY_RATE_REGISTER", "10/h"),
    "register_email": _rate("KCITY_RATE_REGISTER_EMAIL", "3/h"),
    "password_reset_ip": _rate("KCITY_RATE_PASSWORD_RESET", "10/h"),
    "password_reset_email": _rate("KCITY_RATE_PASSWORD_RESET_EMAIL", "3/h"),
    "invitation_ip": _rate("KCITY_RATE_INVITATION", "30/h"),
    # Passwords posted to the log-in page from one address, whatever the account: each is an
    # Argon2 hash (100 MB). Generous: a ministry's staff may share one address.
    "login_ip": _rate("KCITY_RATE_LOGIN", "100/h"),
}
RATELIMIT_USE_CACHE = "default"
# A cache that cannot be reached (Redis down) lets requests through rather than refusing
# every registration on a deadline day.
RATELIMIT_FAIL_OPEN = True
SILENCED_SYSTEM_CHECKS = [
    # W001 "not officially supported": django-ratelimit lists django-redis but not Django's
    # own RedisCache, whose incr is Redis' atomic INCR (and warns of LocMemCache too).
    "django_ratelimit.W001",
    # Without KCITY_CACHE_URL the counts live in each process's memory (LocMemCache: its
    # incr is atomic within the process). Exact for the demo's single process; with
    # several gunicorn processes a client may get up to KCITY_WEB_WORKERS times the limit,
    # so production sets KCITY_CACHE_URL (README, Production).
    *([] if KCITY_CACHE_URL else ["django_ratelimit.E003"]),
]


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0") == "1"


# Log-in lock-out (django-axes): 5 wrong passwords for one account from one address lock that
# account at that address for 15 minutes; the count starts again after a good log-in. The
# same account from another address, and other accounts from the same address, still log in:
# a stranger cannot lock a user out by guessing on purpose (deadline days).
AXES_FAILURE_LIMIT = int(os.environ.get("KCITY_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KCITY_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kcity.accounts.security_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "kcity.accounts.security.client_ip"
# Proxies in front of the portal that append the client's address to X-Forwarded-For; the
# address `KCITY_TRUSTED_PROXIES` places from the right is the client's. 0 (the demo's
# default) ignores the header, which anyone can send.
KCITY_TRUSTED_PROXIES = int(os.environ.get("KCITY_TRUSTED_PROXIES", "1" if PRODUCTION else "0"))

# Two-factor log-in (django-otp, TOTP and recovery codes). Required for secretariat staff
# (MOLIT, KIND, KAIA), evaluators and administrators in production; offered, not required,
# in the demo, whose printed log-ins work with the password alone. A user who enrolled a
# device always enters a code.
KCITY_REQUIRE_2FA = _flag("KCITY_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "K-City Network"

# Content Security Policy (django-csp), in every mode: scripts and styles only from the
# portal's own files, never inline; no framing; forms post only to the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    # HTTPS only: browsers remember it for a year, subdomains included.
    SECURE_HSTS_SECONDS = int(os.environ.get("KCITY_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _flag("KCITY_HSTS_PRELOAD", True)
    # Off when the proxy in front already sends plain HTTP to HTTPS; the load balancer's
    # health check may ask over HTTP.
    SECURE_SSL_REDIRECT = _flag("KCITY_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SILENCED_SYSTEM_CHECKS += [
        *([] if SECURE_SSL_REDIRECT else ["security.W008"]),  # the proxy redirects
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),  # preload declined on purpose
    ]
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KCITY_LOG_LEVEL", "WARNING")},
}
