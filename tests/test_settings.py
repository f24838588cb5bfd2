"""config/settings.py reads its configuration from the environment only.

Each case imports the settings in a fresh interpreter whose environment is built from
scratch (PATH, HOME, DJANGO_SETTINGS_MODULE and the variables under test), so nothing
from the test run's own environment leaks in.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 60
ONE_YEAR_SECONDS = 60 * 60 * 24 * 365

PRINT_SETTINGS = """
import json, sys
from django.conf import settings
names = json.loads(sys.argv[1])
print(json.dumps({name: getattr(settings, name, None) for name in names}, default=str))
"""


def run_settings(environment: dict[str, str], names: list[str]) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS, json.dumps(names)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def load_settings(environment: dict[str, str], *names: str) -> dict[str, Any]:
    """The named settings as Django sees them with exactly `environment` set."""
    result = run_settings(environment, list(names))
    assert result.returncode == 0, f"settings failed to load with {environment}:\n{result.stderr}"
    return json.loads(result.stdout)


def test_defaults_with_only_debug_set_use_embedded_services() -> None:
    values = load_settings(
        {"DJANGO_DEBUG": "1"},
        "DATABASES",
        "CHANNEL_LAYERS",
        "CACHES",
        "EMAIL_BACKEND",
        "STORAGES",
        "ALLOWED_HOSTS",
        "DEBUG",
        "LANGUAGE_CODE",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == (ROOT / "manage.py").parent / "db.sqlite3"
    assert values["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert values["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1"]
    assert values["DEBUG"] is True
    assert values["LANGUAGE_CODE"] == "da"


@pytest.mark.parametrize("debug", [None, "0"], ids=["debug-unset", "debug-0"])
def test_startup_without_secret_key_fails_naming_it_when_debug_is_off(debug: str | None) -> None:
    environment = {} if debug is None else {"DJANGO_DEBUG": debug}
    result = run_settings(environment, ["SECRET_KEY"])
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("debug", [None, "0"], ids=["debug-unset", "debug-0"])
def test_production_settings_with_secret_key_enforce_https_and_manifest_static(debug: str | None) -> None:
    secret = "production-secret-from-the-environment"
    environment = (
        {"DJANGO_SECRET_KEY": secret} if debug is None else {"DJANGO_SECRET_KEY": secret, "DJANGO_DEBUG": debug}
    )
    values = load_settings(
        environment,
        "DEBUG",
        "SECRET_KEY",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "STORAGES",
    )
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == secret
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= ONE_YEAR_SECONDS
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_redis_url_selects_redis_channel_layer_and_cache() -> None:
    url = "redis://127.0.0.1:6379/3"
    values = load_settings({"DJANGO_DEBUG": "1", "REDIS_URL": url}, "CHANNEL_LAYERS", "CACHES", "REDIS_URL")
    layer = values["CHANNEL_LAYERS"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layer["CONFIG"]["hosts"] == [{"address": url, "socket_timeout": None, "max_connections": 1000}]
    assert values["CACHES"]["default"]["BACKEND"] == "config.cache.ForgivingRedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == url
    assert values["REDIS_URL"] == url


def test_database_url_is_parsed_into_postgresql_settings_with_health_checks() -> None:
    values = load_settings(
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u:p@db.example:5433/cirkler"},
        "DATABASES",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db.example"
    assert int(database["PORT"]) == 5433
    assert database["NAME"] == "cirkler"
    assert database["USER"] == "u"
    assert database["PASSWORD"] == "p"
    assert database["CONN_HEALTH_CHECKS"] is True


def test_the_psycopg_pool_checks_connections_and_fails_fast_while_postgresql_is_down() -> None:
    values = load_settings(
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u:p@db.example/cirkler", "DATABASE_POOL_MAX_SIZE": "4"},
        "DATABASES",
    )
    database = values["DATABASES"]["default"]
    # config.db: Django's backend, which passes check=ConnectionPool.check_connection with health checks on.
    assert database["ENGINE"] == "config.db"
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 10}


def test_email_url_configures_smtp_with_tls() -> None:
    values = load_settings(
        {"DJANGO_DEBUG": "1", "EMAIL_URL": "smtp+tls://user:secret@mail.example:587"},
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "user",
        "EMAIL_HOST_PASSWORD": "secret",
        "EMAIL_USE_TLS": True,
    }


def test_s3_media_storage_url_configures_s3_storage() -> None:
    values = load_settings(
        {
            "DJANGO_DEBUG": "1",
            "MEDIA_STORAGE": "s3://KEY:SE%2FCR%2BET@bucket-name?endpoint_url=https://s3.example&region=eu-north-1",
        },
        "STORAGES",
    )
    default = values["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "bucket-name"
    assert options["access_key"] == "KEY"
    assert options["secret_key"] == "SE/CR+ET"  # percent-encoded in the URL, decoded for the backend
    assert options["endpoint_url"] == "https://s3.example"
    assert options["region_name"] == "eu-north-1"


@pytest.mark.parametrize("value", ["local", ""], ids=["local", "empty"])
def test_local_media_storage_uses_the_file_system(value: str) -> None:
    values = load_settings({"DJANGO_DEBUG": "1", "MEDIA_STORAGE": value}, "STORAGES")
    assert values["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.mark.parametrize("value", ["ftp://x", "s3://", "bucket-name"])
def test_unsupported_media_storage_fails_startup_naming_it(value: str) -> None:
    result = run_settings({"DJANGO_DEBUG": "1", "MEDIA_STORAGE": value}, ["STORAGES"])
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "MEDIA_STORAGE" in result.stderr


def test_allowed_hosts_are_read_as_a_comma_separated_list() -> None:
    values = load_settings({"DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "a.example, b.example,"}, "ALLOWED_HOSTS")
    assert values["ALLOWED_HOSTS"] == ["a.example", "b.example"]


def test_production_trusts_no_proxy_header_unless_one_is_named() -> None:
    secret = {"DJANGO_SECRET_KEY": "production-secret-from-the-environment"}
    unset = load_settings(secret, "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME")
    named = load_settings({**secret, "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, "SECURE_PROXY_SSL_HEADER")
    assert unset["SECURE_PROXY_SSL_HEADER"] is None
    assert named["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert unset["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert unset["CSRF_COOKIE_NAME"] == "__Host-csrftoken"


def test_development_keeps_the_plain_cookie_names_the_http_tests_use() -> None:
    values = load_settings({"DJANGO_DEBUG": "1"}, "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SECURE_PROXY_SSL_HEADER")
    assert values == {
        "SESSION_COOKIE_NAME": "sessionid",
        "CSRF_COOKIE_NAME": "csrftoken",
        "SECURE_PROXY_SSL_HEADER": None,
    }
