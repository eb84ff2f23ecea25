"""Settings for the UngMusikk portal, read from the environment.

The embedded default (nothing set) is a SQLite file in the project and Celery tasks run
in-process, so `make run` needs no other service. Production sets DATABASE_URL (PostgreSQL),
REDIS_URL (Celery broker and result backend), SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from exc


# DEBUG is on only for the embedded default (no DATABASE_URL) unless said otherwise.
DEBUG = env_bool("DEBUG", default="DATABASE_URL" not in os.environ)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value in production "
            "(or DEBUG=1 for local development only)."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The budget's page posts about 20 fields per line (each with its version and its values as
# drawn); a national network's budget has some 450 lines. Django's default of 1,000 refused
# every save of the demo budget (61 lines) with a 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000
# A refused form gets the portal's page in the visitor's language, not Django's English one.
CSRF_FAILURE_VIEW = "ungmusikk.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "rules.apps.AutodiscoverRulesConfig",
    # The portal's apps, lowest first: core (shared machinery) -> schools -> governance
    # -> activities -> funding.
    "core",
    "schools",
    "governance",
    "activities",
    "funding",
    "ungmusikk",
    "ungmusikk.reports",
]

# The portal's permissions are its rules (core/permissions.py): people log in as a
# governance.Person, and the model backend grants none of the portal's permissions.
AUTHENTICATION_BACKENDS = [
    "governance.auth.PortalBackend",
    "rules.permissions.ObjectPermissionBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ungmusikk.errors.ErrorPages",
]

ROOT_URLCONF = "ungmusikk.urls"

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

WSGI_APPLICATION = "ungmusikk.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a busy SQLite writer rather than failing at once. Transactions start as writers
    # (BEGIN IMMEDIATE): a transaction that began as a reader and then writes cannot wait for
    # another writer and fails at once with "database is locked" (two people saving the same
    # activity at the same moment got a 500); as writers they queue, and the second one meets
    # the version check.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The pages' queries are short: PostgreSQL's JIT compilation cost them 20–70 ms each at
    # national scale and saved nothing (issue 17); a rollup unit took the same time with it or
    # without (16–19 s, measured side by side). DATABASE_JIT=1 keeps PostgreSQL's default.
    if not env_bool("DATABASE_JIT", False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Norwegian bokmål first, English second. Times are stored in UTC and shown in Oslo time.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("Engelsk"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The portal's own date and time formats (Norwegian: 01.01.2014, 05.03.2020 kl. 10.00); see core/formatting.py.
FORMAT_MODULE_PATH = ["ungmusikk.formats"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the portal makes (the annual report's PDF and workbook, issue 16: MEDIA_ROOT/rapporter).
# They are never public media: no URL serves MEDIA_ROOT; each file is sent by a view that checks
# the reader's permission (ungmusikk/reports/views.py). Keep the folder out of the web server's
# static paths and back it up with the database.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS. With DEBUG off the portal is HTTPS only: `check --deploy --fail-level WARNING` passes on
# these defaults. Each switch is turned off by its environment variable for a production-like run
# on plain HTTP (`make stack` on 127.0.0.1): SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0
# SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
# Preloading commits the whole registrable domain (and every subdomain) to HTTPS in the
# browsers' built-in lists for a long time; that is the domain owner's decision, so it is off
# unless SECURE_HSTS_PRELOAD=1 (and Django's reminder, security.W021, is silenced while off).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a reverse proxy that ends TLS, Django sees plain HTTP. TRUST_X_FORWARDED_PROTO=1 only
# when the proxy sets (and overwrites any incoming) X-Forwarded-Proto; otherwise a client could
# claim HTTPS by sending the header itself.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions end after two hours without a request (each request moves the end) and when the
# browser closes (the cookie has no expiry date).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = env_bool("SESSION_SAVE_EVERY_REQUEST", True)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Celery: Redis when REDIS_URL says so, otherwise tasks run in-process (eager).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20 * 60)
# A task that is not acknowledged is redelivered after this; it must outlast the hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 10 * 60}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Fault-injection tests only: seconds a rollup waits inside its transaction before committing,
# so that a test can kill the worker mid-run. Always 0 in production.
# PostgreSQL work_mem for the rollup transaction (its distinct counts sort millions of rows).
ROLLUP_WORK_MEM = os.environ.get("ROLLUP_WORK_MEM", "256MB")
ROLLUP_FAULT_INJECTION_PAUSE = float(os.environ.get("ROLLUP_FAULT_INJECTION_PAUSE", "0") or 0)

# E-mail (the budget workflow's notices, funding/notices.py): SMTP when EMAIL_HOST is set,
# otherwise written to the console (the embedded default), or to files in EMAIL_FILE_PATH
# (a worker whose e-mails a test reads). The tests' runner replaces the backend by its outbox.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "UngMusikk <ikke-svar@ungmusikk.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's address as people open it: the links in its e-mails start with it.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not PORTAL_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"PORTAL_BASE_URL must start with http:// or https://; got {PORTAL_BASE_URL!r}.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes writes the username as typed into its own lines (a newline in it forges a
    # line); the portal's "ungmusikk.security" logger records the same events, escaped.
    "loggers": {"axes": {"level": "ERROR"}},
}

# Demo logins (load_demo): the password for every demo user.
DEMO_PASSWORD_DEFAULT = "ungmusikk2020"  # noqa: S105 - demo data only, refused when DEBUG is off

# --- Feide login (issue 14) ---
# OpenID Connect with Feide (governance/oidc.py, mozilla-django-oidc). On when
# FEIDE_OIDC_CLIENT_ID and FEIDE_OIDC_CLIENT_SECRET are set; otherwise absent: no backend, no
# URLs, no button. The endpoints default to Feide's documented paths under the issuer (set
# each one for another provider); nothing is fetched from the provider at start-up.
_FEIDE_VARIABLES = [name for name in os.environ if name.startswith("FEIDE_OIDC_") and os.environ[name].strip()]
FEIDE_OIDC_CLIENT_ID = os.environ.get("FEIDE_OIDC_CLIENT_ID", "").strip()
FEIDE_ENABLED = bool(_FEIDE_VARIABLES)
FEIDE_OIDC_ISSUER = ""
if FEIDE_ENABLED:
    if not FEIDE_OIDC_CLIENT_ID or not os.environ.get("FEIDE_OIDC_CLIENT_SECRET", "").strip():
        raise ImproperlyConfigured(
            f"Feide login needs both FEIDE_OIDC_CLIENT_ID and FEIDE_OIDC_CLIENT_SECRET (set: "
            f"{', '.join(sorted(_FEIDE_VARIABLES))}); unset every FEIDE_OIDC_* variable to turn it off."
        )
    # The issuer as the provider writes it in its tokens' `iss` (Feide: no slash at the end).
    FEIDE_OIDC_ISSUER = os.environ.get("FEIDE_OIDC_ISSUER", "").strip() or "https://auth.dataporten.no"

    def _feide_url(name: str, path_under_issuer: str) -> str:
        url = os.environ.get(name, "").strip() or FEIDE_OIDC_ISSUER.rstrip("/") + path_under_issuer
        if not url.startswith("https://") and not (DEBUG and url.startswith("http://")):
            raise ImproperlyConfigured(f"{name} must be an https:// address (http:// only with DEBUG); got {url!r}.")
        return url

    _feide_url("FEIDE_OIDC_ISSUER", "")
    OIDC_RP_CLIENT_ID = FEIDE_OIDC_CLIENT_ID
    OIDC_RP_CLIENT_SECRET = os.environ["FEIDE_OIDC_CLIENT_SECRET"].strip()
    OIDC_OP_AUTHORIZATION_ENDPOINT = _feide_url("FEIDE_OIDC_AUTHORIZATION_ENDPOINT", "/oauth/authorization")
    OIDC_OP_TOKEN_ENDPOINT = _feide_url("FEIDE_OIDC_TOKEN_ENDPOINT", "/oauth/token")
    OIDC_OP_USER_ENDPOINT = _feide_url("FEIDE_OIDC_USERINFO_ENDPOINT", "/openid/userinfo")
    OIDC_OP_JWKS_ENDPOINT = _feide_url("FEIDE_OIDC_JWKS_ENDPOINT", "/openid/jwks")
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_SCOPES = " ".join(env_list("FEIDE_OIDC_SCOPES", ["openid", "email", "profile"]))
    if "openid" not in OIDC_RP_SCOPES.split():
        raise ImproperlyConfigured(f"FEIDE_OIDC_SCOPES must include openid; got {OIDC_RP_SCOPES!r}.")
    # The client's secret in an HTTP Basic header (client_secret_basic), or in the form (0).
    OIDC_TOKEN_USE_BASIC_AUTH = env_bool("FEIDE_OIDC_TOKEN_USE_BASIC_AUTH", True)
    OIDC_USE_NONCE = True
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False  # governance.oidc.FeideBackend refuses to create people anyway
    OIDC_TIMEOUT = env_int("FEIDE_OIDC_TIMEOUT", 10)  # seconds for each call to the provider
    OIDC_AUTHENTICATE_CLASS = "governance.oidc.FeideLoginView"
    OIDC_CALLBACK_CLASS = "governance.oidc.FeideCallbackView"
    INSTALLED_APPS += ["mozilla_django_oidc"]
    AUTHENTICATION_BACKENDS += ["governance.oidc.FeideBackend"]

# --- Two factors for the admin (issue 14) ---
# Superusers, central staff and the access manager confirm their login with a one-time code (an
# authenticator app's TOTP code, or a recovery code) before they reach /admin/; see
# ungmusikk/two_factor.
# On in production, off in the embedded demo (DEBUG on) so that `make run` stays easy to try.
INSTALLED_APPS += [
    "django_otp",
    "ungmusikk.two_factor.apps.TotpConfig",  # django_otp.plugins.otp_totp, named in Norwegian
    "ungmusikk.two_factor.apps.StaticConfig",  # django_otp.plugins.otp_static
    "ungmusikk.two_factor",
]
# OTPMiddleware tells which device (if any) confirmed this session; it needs request.user.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "ungmusikk.two_factor.middleware.AdminRequiresTwoFactors",
)
ADMIN_REQUIRES_OTP = env_bool("ADMIN_REQUIRES_OTP", not DEBUG)
# The name the authenticator app shows beside the person's username.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "UngMusikk")
# The admin's device pages show neither a device's secret nor its recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Logins: lockout after failed attempts, password reset (issue 14) ---
# django-axes counts failed logins (the portal's /logg-inn/ and the admin's /admin/login/) by
# username and IP address together and refuses that pair for AXES_COOLOFF_MINUTES after
# AXES_FAILURE_LIMIT failures, the right password too. Its standalone backend goes first: it
# only refuses, so the session keeps PortalBackend (and its Person) as the backend that logged
# the person in. Each failure and lockout is logged to "ungmusikk.security"
# (governance/security.py) and stored in axes' tables, which central staff read and clear
# (= unlock) in the admin.
from datetime import timedelta  # noqa: E402

INSTALLED_APPS.insert(INSTALLED_APPS.index("core"), "axes")
AUTHENTICATION_BACKENDS.insert(0, "axes.backends.AxesStandaloneBackend")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False  # no banner on every manage.py command
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The stored form data never holds a password or a form token (axes always masks "password");
# the reset and change forms' fields are named too, should a login form ever carry them.
AXES_SENSITIVE_PARAMETERS = ["password", "new_password1", "new_password2", "old_password", "csrfmiddlewaretoken"]
AXES_LOCKOUT_CALLABLE = "governance.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address (governance.security.client_ip): REMOTE_ADDR, unless the portal runs
# behind TRUSTED_PROXY_COUNT reverse proxies that each append to X-Forwarded-For. Reading that
# header without such a proxy would let a guesser name a new "address" for every attempt.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "governance.security.client_ip"
AXES_USERNAME_CALLABLE = "governance.security.client_username"
# The password rules apply wherever a password is set; the minimum length's error in Norwegian
# (governance/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {**validator, "NAME": "governance.passwords.MinimumLengthValidator"}
    if validator["NAME"] == "django.contrib.auth.password_validation.MinimumLengthValidator"
    else validator
    for validator in AUTH_PASSWORD_VALIDATORS
]
# Password reset by e-mail (Django's views, governance/auth_views.py): the link is valid for
# PASSWORD_RESET_TIMEOUT seconds, and one address gets at most PASSWORD_RESET_MAX_PER_HOUR
# reset e-mails an hour (0: no limit); the page answers the same either way.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
PASSWORD_RESET_MAX_PER_HOUR = env_int("PASSWORD_RESET_MAX_PER_HOUR", 3)

# --- Content-Security-Policy (issue 14) ---
# django-csp sends the policy on every response (Django 5.2 has none built in). Everything the
# pages load comes from the portal itself: scripts and styles are files under static/ (no inline
# <script>, on*= attribute, style= attribute or <style> block; data for a script travels in
# json_script or data- attributes), and the network map draws no tiles from the internet.
# Chart.js, Leaflet and Bootstrap set styles through the CSSOM (element.style), which the policy
# allows. Images may be data: URLs (Bootstrap's icons in its CSS).
from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Calendar and iCalendar feeds (issue 15) ---
# How many days back a subscribable calendar (activities/feeds.py) reaches; every later
# activity is in it.
CALENDAR_FEED_DAYS_BACK = env_int("CALENDAR_FEED_DAYS_BACK", 365)

# --- Reports (issue 16) ---
# How many days a signed link to a municipality's sheet (ungmusikk/reports/links.py) opens
# the sheet without a login.
SHEET_LINK_DAYS = env_int("SHEET_LINK_DAYS", 30)
if not 1 <= SHEET_LINK_DAYS <= 366:
    raise ImproperlyConfigured(f"SHEET_LINK_DAYS must be a number of days from 1 to 366; got {SHEET_LINK_DAYS}.")
