"""Django settings, read from the environment.

Production needs SECRET_KEY and DATABASE_URL. The demo (``ketamine-clinic demo``) and the test
suite supply their own safe values; nothing here falls back to a default secret.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ketamine_clinic.core.env import env_bool

BASE_DIR = Path(__file__).resolve().parent


DEMO = env_bool("KETAMINE_CLINIC_DEMO")
TESTING = env_bool("KETAMINE_CLINIC_TESTING")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if TESTING:
        SECRET_KEY = "test-only-not-secret"  # the suite runs on a throwaway database
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (the demo command makes its own)."
        )

# The audit trail's HMAC key, kept outside the database (like SECRET_KEY): AUDIT_KEY, or a file
# named by AUDIT_KEY_FILE. Signed chain-head checkpoints go to AUDIT_CHECKPOINT_DIR when it is set.
AUDIT_KEY = os.environ.get("AUDIT_KEY", "")
if not AUDIT_KEY and os.environ.get("AUDIT_KEY_FILE"):
    AUDIT_KEY = Path(os.environ["AUDIT_KEY_FILE"]).read_text().strip()
if not AUDIT_KEY:
    if TESTING:
        AUDIT_KEY = "test-only-audit-key"
    else:
        raise ImproperlyConfigured(
            "AUDIT_KEY is not set. Set AUDIT_KEY or AUDIT_KEY_FILE (the demo command makes its own)."
        )
AUDIT_CHECKPOINT_DIR = os.environ.get("AUDIT_CHECKPOINT_DIR", "")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # index expressions with an operator class (patient search's trigram indexes)
    "django_htmx",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, not a CDN (CSP, no network)
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ketamine_clinic.core",
    "ketamine_clinic.accounts",
    "ketamine_clinic.audit",
    "ketamine_clinic.patients",
    "ketamine_clinic.portal",
    "ketamine_clinic.screening",
    "ketamine_clinic.assessments",
    "ketamine_clinic.pharmacology",
    "ketamine_clinic.directory",
    "ketamine_clinic.plans",
    "ketamine_clinic.treatments",
    "ketamine_clinic.inventory",
    "ketamine_clinic.education",
    "ketamine_clinic.referrals",
    "ketamine_clinic.outcomes",
    "ketamine_clinic.notes",
    "ketamine_clinic.billing",
    "ketamine_clinic.front",
    "ketamine_clinic.fhir",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: every response Django makes (not static files) is no-store and has the CSP.
    "ketamine_clinic.front.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "ketamine_clinic.accounts.middleware.AuthenticationMiddleware",  # Django's, with request.user read at once
    "django.contrib.messages.middleware.MessageMiddleware",
    "ketamine_clinic.web.middleware.ServiceErrorMiddleware",  # NotFound -> 404 page, PermissionDenied -> 403…
    "ketamine_clinic.front.middleware.InactivityLogoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ketamine_clinic.front.middleware.RequireMfaMiddleware",
    "ketamine_clinic.front.middleware.LocationTimeZoneMiddleware",  # show times in the user's location zone
]

ROOT_URLCONF = "ketamine_clinic.urls"
WSGI_APPLICATION = "ketamine_clinic.wsgi.application"

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
                "ketamine_clinic.front.context.navigation",
            ],
            # ``|date`` with the common formats written out, ``{% url %}`` with its set-up done once
            # per URL name: the same output as Django's own, faster (tests/core/test_fast_*.py).
            "builtins": ["ketamine_clinic.core.templatetags.fast_dates", "ketamine_clinic.core.templatetags.fast_urls"],
        },
    }
]

# --- database ---------------------------------------------------------------------------------
_default_sqlite = BASE_DIR.parent.parent / "var" / "dev.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_default_sqlite}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialize writers up front, so the audit hash chain never forks and
    # no writer fails half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )

# The reads every page runs (core.prepared, core.batch) go to PostgreSQL as prepared statements,
# planned once per connection. Set DATABASE_PREPARED_STATEMENTS=0 behind a pooler that cannot
# keep them (PgBouncer in transaction mode before 1.21).
DATABASE_PREPARED_STATEMENTS = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"

# Report reads (outcomes, audit browsing, exports) on a PostgreSQL streaming replica when
# DATABASE_REPLICA_URL is set (core/db_router.py); without it there is no second alias. In tests the
# replica mirrors the test database (physical replication copies it from the primary).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ketamine_clinic.core.db_router.ReportReadRouter"]
    MIDDLEWARE.append("ketamine_clinic.core.db_router.PinPrimaryAfterWriteMiddleware")
# After a write, that user's reports read the primary this long (covers the replica's usual lag).
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = {
    # Shared by every worker process, so login throttling holds across gunicorn workers.
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ketamine_clinic_cache"}
}

# --- authentication and security baseline ----------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # hashing cost is not what the tests measure
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Django's and allauth's backends, each reading the request's user with organization, location and
# roles in one query (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "ketamine_clinic.accounts.backends.ClinicModelBackend",
    "ketamine_clinic.accounts.backends.ClinicAllauthBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "ketamine_clinic.accounts.adapter.ClinicAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
# Lockout: after 5 failed logins for one username from one source address within 15 minutes,
# that username is refused from that address until the window passes or a clinic admin unlocks
# it; 20 failures a minute from one address are refused too (accounts/lockout.py). Wrong
# co-signer passwords count against the co-signer with the same 5/15m limit.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,5/15m/key"}
# Behind N reverse proxies that each append to X-Forwarded-For, set N so the client's own address
# (not the proxy's) is what lockouts count; 0 = use the connecting address (no proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ketamine-clinic"

# Minutes of inactivity before automatic logoff; an organization may set its own.
INACTIVITY_TIMEOUT_MINUTES = int(os.environ.get("INACTIVITY_TIMEOUT_MINUTES", "15"))
# Database sessions whose per-request read is compiled once (accounts/sessions.py).
SESSION_ENGINE = "ketamine_clinic.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only the site's own scripts and styles, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # data: for the TOTP set-up QR code
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Outside the demo and the tests the site is served over HTTPS (usually behind a proxy).
SECURE_DEPLOYMENT = not (DEMO or TESTING or DEBUG) and not env_bool("ALLOW_INSECURE_HTTP")
if SECURE_DEPLOYMENT:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- internationalisation and time -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")  # fallback display zone; locations carry their own
# The interface is in US English only (no locale middleware, no catalogues of its own), so Django's
# translation machinery would only ever answer "en-us": off, it no longer costs a thread-local
# lookup on every date, number and URL a page renders (about 2 ms of a patient chart).
USE_I18N = False
USE_TZ = True

# --- static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR.parent.parent / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEMO or TESTING or DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEMO or TESTING or DEBUG
if WHITENOISE_USE_FINDERS and not STATIC_ROOT.is_dir():
    # Files are served from the apps' static folders (finders) until collectstatic has run; the
    # demo collects into its data directory. Only whitenoise's note about that one folder is muted.
    import re
    import warnings

    warnings.filterwarnings("ignore", message=re.escape(f"No directory at: {STATIC_ROOT}"))

# Background work (reminders, alert escalation): django-tasks with its database backend. Run the
# worker with `ketamine-clinic manage db_worker`; every task is idempotent, safe to run twice.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Absolute base of links sent by email or SMS, e.g. https://clinic.example.org
SITE_URL = os.environ.get("SITE_URL", "")

# Live NPI Registry look-ups from provider profiles (directory), off unless set, e.g.
# https://npiregistry.cms.hhs.gov/api/ ; only the NPI is sent.
NPI_REGISTRY_URL = os.environ.get("NPI_REGISTRY_URL", "")

# Without a real provider, messages (they carry PHI) go to a private outbox directory, never the
# console: one file per batch of emails and sms.jsonl, mode 0600 in a 0700 directory.
OUTBOX_DIR = Path(os.environ.get("OUTBOX_DIR") or (
    Path(DATABASES["default"]["NAME"]).parent / "outbox" if DATABASES["default"]["ENGINE"].endswith("sqlite3")
    else BASE_DIR.parent.parent / "var" / "outbox"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.locmem.EmailBackend" if TESTING else "ketamine_clinic.core.outbox.PrivateFileEmailBackend")
EMAIL_FILE_PATH = str(OUTBOX_DIR / "email")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH") or (None if TESTING else str(OUTBOX_DIR / "sms.jsonl"))
# FHIR bulk export files (NDJSON, PHI): private directory per clinic and job; the download checks the token.
FHIR_EXPORT_DIR = Path(os.environ.get("FHIR_EXPORT_DIR") or OUTBOX_DIR.parent / "fhir-exports")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")

# --- logging: no PHI --------------------------------------------------------------------------
# Request paths carry only opaque ids; query strings (which can hold a searched name) and path
# secrets (calendar feed, questionnaire link, password reset) are redacted (core/logging.py), and
# no handler logs request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query_string": {"()": "ketamine_clinic.core.logging.StripQueryStringFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_query_string"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # `manage runserver` logs every request line: through the same redacting filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
