"""docker-compose.yml: valid for docker-compose, and in step with what config/settings.py reads."""

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETTINGS_FILE = ROOT / "config" / "settings.py"
APP_SERVICES = ("web", "worker")


def services_required(request: pytest.FixtureRequest) -> bool:
    """True when pytest ran with --require-services (missing tools then fail instead of skipping)."""
    return bool(request.config.getoption("--require-services", default=False))


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def service_environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment as a mapping, whether written as a mapping or as a list."""
    environment = service.get("environment") or {}
    if isinstance(environment, dict):
        return {str(key): None if value is None else str(value) for key, value in environment.items()}
    pairs = (str(item).partition("=") for item in environment)
    return {key: value if sep else None for key, sep, value in pairs}


def settings_variables(source: str) -> set[str]:
    """Names of the variables read through `env(...)` or `env.<cast>(...)` in the settings source."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def test_compose_file_is_valid(request: pytest.FixtureRequest) -> None:
    executable = shutil.which("docker-compose")
    if executable is None:
        message = "the docker-compose executable is not installed (apt-get install docker-compose)"
        if services_required(request):
            pytest.fail(f"--require-services: {message}")
        pytest.skip(message)
    environment = {**os.environ, "POSTGRES_PASSWORD": "test-password", "DJANGO_SECRET_KEY": "test-secret-key"}
    result = subprocess.run(
        [executable, "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_settings_parser_finds_the_variables() -> None:
    assert settings_variables('env.bool("A", default=False)\nenv("B")\nother.str("C")\nenv.str(NAME)') == {"A", "B"}


def test_compose_sets_only_variables_the_settings_read() -> None:
    read = settings_variables(SETTINGS_FILE.read_text(encoding="utf-8"))
    assert read, "no env(...) calls found in config/settings.py"
    assert {"DATABASE_URL", "REDIS_URL"} <= read
    services = compose()["services"]
    for name in APP_SERVICES:
        unknown = set(service_environment(services[name])) - read
        assert not unknown, f"{name} sets variables config/settings.py never reads: {sorted(unknown)}"


def test_compose_web_and_worker_use_the_same_image_and_environment() -> None:
    services = compose()["services"]
    web, worker = services["web"], services["worker"]
    assert web["image"] == worker["image"]
    assert web.get("build") == worker.get("build")
    assert service_environment(web) == service_environment(worker)
    assert service_environment(web), "web has no environment"
    assert "media:/app/media" in web["volumes"]
    assert web["volumes"] == worker["volumes"]
    assert worker["command"] == "python manage.py db_worker"
    assert "python manage.py migrate --noinput" in web["command"]
    assert "daphne -b 0.0.0.0 -p 8000 config.asgi:application" in web["command"]


def test_every_service_has_a_healthcheck() -> None:
    services = compose()["services"]
    for name in ("postgres", "redis", "web"):
        test = services[name].get("healthcheck", {}).get("test")
        assert test, f"{name} has no healthcheck"
        assert not services[name]["healthcheck"].get("disable", False)
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    # The worker is its container's main process: the restart policy covers it instead.
    assert "healthcheck" not in services["worker"]
    assert services["worker"]["restart"] == "unless-stopped"
    assert services["worker"]["depends_on"]["web"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        for dependency in ("postgres", "redis"):
            assert services[name]["depends_on"][dependency]["condition"] == "service_healthy"


NGINX_TEMPLATES = ROOT / "deploy" / "nginx" / "templates"
NGINX_TEMPLATE = NGINX_TEMPLATES / "default.conf.template"


def nginx_conf() -> str:
    """The nginx template with its whitespace folded, as the tests read it."""
    return " ".join(NGINX_TEMPLATE.read_text(encoding="utf-8").split())


def compose_default(value: str) -> str:
    """The default in a compose value written as ${NAME:-default} or ${NAME-default}."""
    match = re.fullmatch(r"\$\{\w+:?-(.*)\}", value)
    assert match, value
    return match[1]


def test_a_load_balancer_in_front_of_web_lets_web_scale() -> None:
    services = compose()["services"]
    web, lb = services["web"], services["lb"]
    # `--scale web=3` cannot start three containers that publish the same host port.
    assert "ports" not in web
    assert "8000" in [str(port) for port in web["expose"]]
    assert "container_name" not in web
    assert lb["image"].split(":")[0] == "nginx"
    assert lb["ports"] == ["127.0.0.1:8000:80"]
    assert lb["depends_on"]["web"]["condition"] == "service_healthy"
    # The official image renders /etc/nginx/templates/*.template into conf.d when it starts.
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in lb["volumes"]}
    assert (ROOT / mounts["/etc/nginx/templates"]).resolve() == NGINX_TEMPLATES
    assert lb["healthcheck"]["test"]


def test_the_load_balancer_proxies_websockets_and_uploads_to_every_web_replica() -> None:
    conf = nginx_conf()
    # Every replica, followed through Docker's DNS as they come and go.
    assert "resolver 127.0.0.11" in conf
    assert "server web:8000 resolve;" in conf
    assert "proxy_pass http://cirkler_web;" in conf
    # Websockets: HTTP/1.1 with the upgrade headers passed on, and reads that outlast daphne's pings.
    assert "proxy_http_version 1.1;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_read_timeout 1h;" in conf
    assert "proxy_set_header X-Forwarded-Proto" in conf
    assert "proxy_set_header Host $host;" in conf


def test_nginx_body_limit_follows_the_sites_upload_limit() -> None:
    """client_max_body_size is the variable Django reads REQUEST_BODY_MAX_BYTES from, with the same default."""
    from django.conf import settings

    assert "client_max_body_size ${REQUEST_BODY_MAX_BYTES};" in nginx_conf()
    assert "client_max_body_size 26m" not in nginx_conf()
    services = compose()["services"]
    lb_environment = service_environment(services["lb"])
    web_environment = service_environment(services["web"])
    # The only ${...} nginx gets filled in is one lb is given, the same way web is.
    braced = {part.split("}", 1)[0] for part in NGINX_TEMPLATE.read_text(encoding="utf-8").split("${")[1:]}
    assert braced == {"REQUEST_BODY_MAX_BYTES"}
    assert lb_environment["REQUEST_BODY_MAX_BYTES"] == web_environment["REQUEST_BODY_MAX_BYTES"]
    body = int(compose_default(web_environment["REQUEST_BODY_MAX_BYTES"]))
    upload = int(compose_default(web_environment["RESOURCE_MAX_UPLOAD_BYTES"]))
    # The compose defaults are the settings' own defaults: an upload of the limit with its form gets through.
    assert upload == 25 * 1024 * 1024 == settings.RESOURCE_MAX_UPLOAD_BYTES
    assert body == upload + 1024 * 1024 == settings.REQUEST_BODY_MAX_BYTES


def test_nginx_serves_private_files_only_on_djangos_internal_redirect() -> None:
    conf = nginx_conf()
    services = compose()["services"]
    prefix = compose_default(service_environment(services["web"])["RESOURCE_X_ACCEL_REDIRECT_PREFIX"])
    location = conf.split(f"location {prefix} {{", 1)[1].split("}", 1)[0]
    assert "internal;" in location
    # The alias is the private storage (MEDIA_ROOT/private) in the volume web and worker write to.
    assert "media:/app/media:ro" in services["lb"]["volumes"]
    assert "media:/app/media" in services["web"]["volumes"]
    assert "alias /app/media/private/;" in location
    assert "add_header X-Content-Type-Options nosniff always;" in location
    assert "add_header Content-Security-Policy $upstream_http_content_security_policy always;" in location


@pytest.mark.django_db
def test_the_download_view_sends_the_prefix_of_nginxs_internal_location(client, settings, tmp_path) -> None:
    from django.urls import reverse

    from resources.services import resource_create_file
    from tests import factories
    from tests.resources import files

    settings.MEDIA_ROOT = tmp_path
    prefix = compose_default(service_environment(compose()["services"]["web"])["RESOURCE_X_ACCEL_REDIRECT_PREFIX"])
    settings.RESOURCE_X_ACCEL_REDIRECT_PREFIX = prefix
    content = files.pdf()
    staff = factories.LibraryStaffFactory()
    resource = resource_create_file(
        created_by=staff.user,
        owner_library=staff.library,
        title="Plan",
        upload=files.upload("plan.pdf", content),
        format="handout",
    )
    response = client.get(reverse("resources:download", kwargs={"pk": resource.pk}))
    sent = response["X-Accel-Redirect"]
    assert f"location {prefix} {{" in nginx_conf()
    assert sent.startswith(prefix)
    # nginx maps the rest of the path onto its alias, MEDIA_ROOT/private in the container: the stored file.
    assert (tmp_path / "private" / sent.removeprefix(prefix)).read_bytes() == content
