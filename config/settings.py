"""Cirkler settings: one module, configured only through environment variables.

With nothing set it runs on the embedded defaults (SQLite, in-memory channel layer,
locmem cache, console e-mail). The variables are listed in README.md.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import environ
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Only a development key when debug is on; production must set its own.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-cirkler-development-key-never-use-in-production"  # noqa: S105  (debug only)

ALLOWED_HOSTS = [
    host.strip() for host in env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"]) if host.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "libraries",
    "circles",
    "chat",
    "resources",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security: its header covers every page, the outage page included.
    "config.security.CSPMiddleware",
    # A database outage answers 503 with a static page; before anything that reads the session.
    "config.outage.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an oversized body (Content-Length) with a 413 page before any middleware reads it.
    "config.limits.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's session tracking, written at most once a minute per session (accounts/middleware.py).
    "accounts.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.site",
                "accounts.context_processors.display_preferences",
            ],
        },
    },
]

# Database: DATABASE_URL, SQLite next to the code by default.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE takes the write
    # lock at BEGIN, so concurrent writers wait instead of failing half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file, not memory, so a daphne process started by the tests shares the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
else:
    # Recover from a PostgreSQL restart without restarting the site: a kept connection is
    # checked before reuse (CONN_HEALTH_CHECKS), and under ASGI none is kept by default
    # (Django's advice; DATABASE_CONN_MAX_AGE seconds to keep them). A dead server is noticed
    # within connect_timeout seconds, and the page says so (config/outage.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # DATABASE_POOL_MAX_SIZE=n: Django's psycopg pool lends each request or socket action a
    # connection and takes it back, instead of connecting anew every time (docs/deployment.md).
    pool_max_size = env.int("DATABASE_POOL_MAX_SIZE", default=0)
    if pool_max_size:
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": pool_max_size, "timeout": 10}
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # With CONN_HEALTH_CHECKS Django gives the pool check=ConnectionPool.check_connection: a
        # connection that died with a PostgreSQL restart is never lent. config.db fails fast while it is down.
        DATABASES["default"]["ENGINE"] = "config.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Channel layer and cache: REDIS_URL, in-memory by default.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py's default 5 s socket timeout equals channels_redis's blocking-read
            # timeout and silently loses deliveries on a quiet layer. Its pool also stops at 100
            # connections and then raises instead of waiting: a consumer that hits the cap dies
            # (1011). Each socket holds one while it joins its groups, so a room of 200 people
            # joining at once needed more than 100.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}]},
        }
    }
    # Redis down must not turn pages into 500s: config.cache answers as a miss, and gives up fast.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail: EMAIL_URL, printed to the console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = "Cirkler <noreply@cirkler.invalid>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def media_storage(url: str) -> dict:
    """Storage backend for uploads from MEDIA_STORAGE: empty or 'local', or s3://KEY:SECRET@BUCKET?endpoint_url=…"""
    if url in ("", "local"):
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or s3://KEY:SECRET@BUCKET?endpoint_url=…")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": parts.hostname,
            "access_key": unquote(parts.username or ""),
            "secret_key": unquote(parts.password or ""),
            "endpoint_url": query.get("endpoint_url"),
            "region_name": query.get("region"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


def private_storage(url: str) -> dict:
    """Storage for files served only through a permission check: MEDIA_ROOT/private/ locally, private/ on S3."""
    storage = media_storage(url)
    if storage["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        return {"BACKEND": "resources.storage.PrivateFileSystemStorage"}
    return {**storage, "OPTIONS": {**storage["OPTIONS"], "location": "private"}}


STORAGES = {
    "default": media_storage(env.str("MEDIA_STORAGE", default="")),
    "private": private_storage(env.str("MEDIA_STORAGE", default="")),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"
# Shared materials (resources): the largest file one may upload, and, behind nginx, the internal
# location that serves MEDIA_ROOT/private/ (the download view then answers with X-Accel-Redirect).
RESOURCE_MAX_UPLOAD_BYTES = env.int("RESOURCE_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
RESOURCE_X_ACCEL_REDIRECT_PREFIX = env.str("RESOURCE_X_ACCEL_REDIRECT_PREFIX", default="")
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): e-mail is the login, no username. A password is optional:
# anyone can log in with a one-time code sent by e-mail instead.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Cirkler: "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# allauth's rate limits count in the cache (Redis in production, shared by every process).
# Written out so they are visible and tested (tests/test_limits.py); allauth adds its defaults
# for the actions not named here. A refusal renders templates/429.html.
ACCOUNT_RATE_LIMITS = {
    # Every login attempt, and failed ones per address (ip) and per e-mail address (key).
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip,60/h/ip",
    # A login code is sent by e-mail: few per address, so no one floods a mailbox.
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/10s/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind a reverse proxy, say how many proxies add to X-Forwarded-For; 0 trusts none of it.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Cirkler"
USERSESSIONS_TRACK_ACTIVITY = True
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# Language: Danish by default, English on request (URLs under /en/).
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True

# Background work: django-tasks with its database backend and the db_worker process.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Security: these hold in every environment; HTTPS-only parts switch on when debug is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # Trust X-Forwarded-Proto (or the header named) only when a TLS-terminating proxy that
    # sets it is known to sit in front: DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
    proxy_ssl_header = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="").strip()
    if proxy_ssl_header:
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https")
    SECURE_SSL_REDIRECT = True
    # Container and load-balancer health checks speak plain HTTP on the inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # __Host-: the browser keeps the cookie only if it is Secure, for "/" and without a Domain,
    # so no sibling subdomain can plant or overwrite it. Channels reads the same session cookie name.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-django_language"
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): only the site's own files, no inline script or style,
# no third-party source, no framing. config.security.CSPMiddleware adds the websocket origin
# of the requested host (wss://, or ws:// over plain HTTP) to connect-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        # data: for the QR code allauth draws when someone sets up two-step login (an image
        # cannot run script).
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    },
}

# Request limits. A form post without files may be 1 MB; a whole body (the largest resource
# upload with its form, like nginx's client_max_body_size in deploy/) is refused from its
# Content-Length before it is read. Both answer 413 with a page (config/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=RESOURCE_MAX_UPLOAD_BYTES + 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # daphne says where it listens and when it stops.
    "loggers": {"daphne": {"level": "INFO"}},
}
