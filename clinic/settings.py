"""Settings for the clinic intake project, read from environment variables.

Every variable is documented in README.md ("Configuration"). A bad value stops start-up with an
ImproperlyConfigured error that names the variable.
"""

from __future__ import annotations

import os
from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from clinic.env import database_from_env, env_bool, env_int, env_list, photos_storage

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is required when DEBUG is off: a comma-separated list of host names."
    )

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://; got {_origin!r}."
        )

# The public address of the site, used to build absolute links in emails (resume and status
# links). Requests are not trusted for this, so that a forged Host header cannot poison a link.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL; got {SITE_URL!r}.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "clinic",
    "consultations",
    "consultations.intake",
    "consultations.review",
    "consultations.insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Header middlewares before all that may refuse a request: error pages get the headers too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.NoStoreMiddleware",
    "clinic.middleware.RequestSizeLimitMiddleware",  # before anything reads the body
    "clinic.middleware.RequestCharsetMiddleware",  # UTF-8 bodies only (400)
    "clinic.db_unavailable.DatabaseUnavailableMiddleware",  # 503 page on a DB outage
    "clinic.plans.AdminCustomPlansMiddleware",  # no prepared statements in the admin
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clinic.middleware.UploadAllowanceMiddleware",  # photo uploads: who may send a large body
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.middleware.StaffSessionTimeoutMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
            ],
        },
    },
    {
        # Queue and consultation page only (consultations/jinja.py), found after Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "consultations.jinja.environment",
            "context_processors": [
                "consultations.jinja.csrf_once",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {"default": database_from_env(BASE_DIR / "var" / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits and login throttling must hold across processes) -----------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "clinic.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "clinic_cache",
        }
    }

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "clinic.auth.ClinicModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# Patients are anonymous; their session only remembers which draft is theirs.
SESSION_ENGINE = "clinic.sessions"  # Django's database sessions, one statement per read or write
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 24 * 60 * 60, minimum=60)

# Login throttling (django-axes): lock the username after AXES_FAILURE_LIMIT failures from any
# address, and a client address after LOGIN_ADDRESS_FAILURE_LIMIT for any usernames.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "clinic.auth.ClinicAxesHandler"
# The same client address as the intake's rate limits (REMOTE_ADDR, or the address our own
# proxy appended to X-Forwarded-For when BEHIND_TLS_PROXY is on).
AXES_CLIENT_IP_CALLABLE = "clinic.ratelimit.client_address"

# Demo logins (seed_demo) are refused when DEBUG is off unless this is set explicitly.
ALLOW_DEMO_LOGINS = env_bool("ALLOW_DEMO_LOGINS", False)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Singapore")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}.") from None
USE_I18N = True
USE_TZ = True
# 24-hour times everywhere, the admin included (clinic/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["clinic.formats"]

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves hashed, compressed file names (cacheable for a year), which `collectstatic`
# writes with their manifest. STATIC_MANIFEST=0 serves the files as they are, straight from
# static/ (the test run, and servers started without a collectstatic step).
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Photos (issue #17): private storage, never served by URL (consultations/storage.py) --------
PHOTOS_ROOT = Path(os.environ.get("PHOTOS_ROOT", "") or BASE_DIR / "var" / "photos")
STORAGES["photos"] = photos_storage(PHOTOS_ROOT)  # or S3 with PHOTOS_S3_BUCKET (README "Photos")
# One upload's bytes and pixels (more is refused before decoding: no decompression bomb). A
# phone's 12 or 24 MP photo fits both.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 30_000_000, minimum=10_000)

# --- The clinic, as patients see it (header, footer, every "contact the clinic") --------------
# The defaults are a demo clinic's: `check --deploy` warns while they are in use.
_env = os.environ.get
CLINIC_NAME = _env("CLINIC_NAME", "Demo Skin Clinic").strip()
CLINIC_PHONE = _env("CLINIC_PHONE", "+65 6000 0000").strip()
CLINIC_WHATSAPP = _env("CLINIC_WHATSAPP", "+65 8000 0000").strip()
CLINIC_EMAIL = _env("CLINIC_EMAIL", "hello@clinic.example").strip()
CLINIC_ADDRESS = _env("CLINIC_ADDRESS", "1 Example Road, #02-03, Singapore 000001").strip()
CLINIC_HOURS = _env("CLINIC_HOURS", "Monday to Friday 9 am to 7 pm, Saturday 9 am to 1 pm").strip()
# What patients are told to expect: a practitioner looks at their answers within this many
# working days (the confirmation and status pages).
CLINIC_REVIEW_WORKING_DAYS = env_int("CLINIC_REVIEW_WORKING_DAYS", 2, minimum=1)
# The clinic's own privacy notice, if it has one on its website; else the app's page.
CLINIC_PRIVACY_URL = os.environ.get("CLINIC_PRIVACY_URL", "").strip()
for _name in ("CLINIC_NAME", "CLINIC_PHONE"):
    if not globals()[_name]:
        raise ImproperlyConfigured(f"{_name} must not be empty: patients are told to call it.")
if CLINIC_PRIVACY_URL and urlsplit(CLINIC_PRIVACY_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(
        f"CLINIC_PRIVACY_URL must be an absolute http(s) URL; got {CLINIC_PRIVACY_URL!r}."
    )

# --- Email ------------------------------------------------------------------------------------
# Console with DEBUG, else SMTP. Backends that write whole emails (links, addresses) into a log
# or file: never with DEBUG off, unless ALLOW_EMAIL_IN_LOGS says it is a throwaway machine.
_BACKENDS = "django.core.mail.backends"
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", f"{_BACKENDS}.{'console' if DEBUG else 'smtp'}.EmailBackend"
)
ALLOW_EMAIL_IN_LOGS = env_bool("ALLOW_EMAIL_IN_LOGS", False)
_EMAIL_IN_LOGS = {f"{_BACKENDS}.console.EmailBackend", f"{_BACKENDS}.filebased.EmailBackend"}
if not DEBUG and EMAIL_BACKEND in _EMAIL_IN_LOGS and not ALLOW_EMAIL_IN_LOGS:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={EMAIL_BACKEND} writes every email, private links included, into a log "
        "or a file. With DEBUG off use SMTP or clinic.mail.RedactedConsoleBackend (or, on a "
        "throwaway machine, set ALLOW_EMAIL_IN_LOGS=1)."
    )
# The clinic's name as the sender, quoted as an address needs ("Skin Clinic, Orchard").
_FROM = formataddr((CLINIC_NAME, "no-reply@clinic.example"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", _FROM)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Where "new consultation" notices go (staff link only, never answers).
PRACTITIONER_NOTIFY_EMAILS = env_list("PRACTITIONER_NOTIFY_EMAILS")
# The worker (never a page) waits EMAIL_TIMEOUT on the mail server; a failed email is tried
# EMAIL_MAX_ATTEMPTS times, waiting EMAIL_RETRY_SECONDS and twice as long each time after.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5, minimum=1)
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60, minimum=1)

# --- Task queue: `manage.py worker` processes (docs/decisions/0006, clinic/queue.py) ----------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task still running this long after a worker took it lost its worker and runs again.
TASKS_LEASE_SECONDS = env_int("TASKS_LEASE_SECONDS", 300, minimum=1)
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5, minimum=1)

# --- Retention in days (consultations/services/retention.py, README "Retention"); schedules.
RETENTION_DRAFT_DAYS = env_int("RETENTION_DRAFT_DAYS", 30, minimum=1)
RETENTION_RECORD_DAYS = env_int("RETENTION_RECORD_DAYS", 90, minimum=1)
RETENTION_LOGIN_DAYS = env_int("RETENTION_LOGIN_DAYS", 90, minimum=1)
_PURGE_EVERY = env_int("RETENTION_PURGE_EVERY_HOURS", 24, minimum=1) * 3600
_CHECK_INS_EVERY = env_int("CHECK_IN_EMAILS_EVERY_MINUTES", 15, minimum=1) * 60
TASK_SCHEDULE = {  # task, every so many seconds (check-ins: services/checkin_emails.py)
    "retention-purge": ("consultations.tasks.retention_purge", _PURGE_EVERY),
    "check-ins-send-due": ("consultations.tasks.check_ins_send_due", _CHECK_INS_EVERY),
    "photo-orphans-sweep": ("consultations.tasks.photo_orphans_sweep", 3600),  # photo_sweep.py
}

# --- Request size: bodies above it, file parts too, are refused unread (413), as nginx does.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
# Photo upload pages, for who may upload there (clinic.middleware), and nginx's photo locations
# (deploy/nginx/clinic.conf): three photos of PHOTO_MAX_BYTES (a larger one: a form message).
UPLOAD_REQUEST_MAX_BYTES = env_int(
    "UPLOAD_REQUEST_MAX_BYTES", 3 * PHOTO_MAX_BYTES + 64 * 1024, minimum=REQUEST_MAX_BYTES
)

# --- Forms: crispy's Bootstrap 5 layout; plain widgets written without a template -----------
CRISPY_ALLOWED_TEMPLATE_PACKS = CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "clinic.renderers.WidgetRenderer"

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # Off only for a local production-like run with no TLS in front (e.g. `make serve`).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): only this site's own files; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Logging: no patient data in logs; request paths carry only opaque tokens ----------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"mask_patient_tokens": {"()": "clinic.logmask.MaskPatientTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_patient_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes announces itself at INFO on every start, which clutters command output.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Intake -----------------------------------------------------------------------------------


def env_rate(name: str, default: str) -> str:
    """A rate limit "COUNT/PERIOD" (period s, m, h or d, optionally with a number: 60/10m)."""
    raw = os.environ.get(name, default).strip()
    count, _, period = raw.partition("/")
    period = period.strip()
    amount = period[:-1].strip()
    if not (
        count.strip().isdigit()
        and int(count) > 0
        and period[-1:] in {"s", "m", "h", "d"}
        and (amount == "" or (amount.isdigit() and int(amount) > 0))
    ):
        raise ImproperlyConfigured(
            f"{name} must look like 60/10m (count/period, period in s, m, h or d); got {raw!r}."
        )
    return raw


# Public POSTs (every intake step, submit) per client, and resume-link emails per client: a
# fixed window in the shared cache (clinic/ratelimit.py).
# A whole intake is about a dozen POSTs (eight pages, a few corrections, the submit); a clinic's
# waiting-room Wi-Fi puts several patients behind one address.
INTAKE_RATE_LIMIT = env_rate("INTAKE_RATE_LIMIT", "120/10m")
INTAKE_EMAIL_RATE_LIMIT = env_rate("INTAKE_EMAIL_RATE_LIMIT", "5/1h")
# Resume links to any one address, whoever asks, and from any one draft.
PATIENT_EMAIL_ADDRESS_LIMIT = env_rate("PATIENT_EMAIL_ADDRESS_LIMIT", "5/1d")
# Behind our own proxy, rate limits count the address it appends to X-Forwarded-For.
INTAKE_TRUST_X_FORWARDED_FOR = env_bool("BEHIND_TLS_PROXY", False)
# How long an emailed "continue your consultation" link works.
INTAKE_RESUME_MAX_AGE_DAYS = env_int("INTAKE_RESUME_MAX_AGE_DAYS", 7, minimum=1)
# Photo uploads per client (patients and staff alike), and per consultation whoever sends them.
PHOTO_UPLOAD_RATE_LIMIT = env_rate("PHOTO_UPLOAD_RATE_LIMIT", "60/10m")
PHOTO_CONSULTATION_RATE_LIMIT = env_rate("PHOTO_CONSULTATION_RATE_LIMIT", "60/1d")

# --- Reliability (database faults, benchmarks; see clinic/db_unavailable.py) ------------
# A request still waiting on the database this many seconds after it started gets the 503 page
# instead of hanging (main-thread workers, i.e. gunicorn's sync worker; 0 turns it off). Below
# gunicorn's worker timeout, so a stuck database costs one request, not a killed worker.
DB_REQUEST_TIMEOUT = env_int("DB_REQUEST_TIMEOUT", 5)
# After a database timeout, each process answers 503 at once for this long (0: off).
DB_BREAKER_SECONDS = env_int("DB_BREAKER_SECONDS", 5)
# The bare view `make bench` measures the framework's floor with; never on in production.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)
