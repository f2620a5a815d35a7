"""docs/deploy/ agrees with itself and with the code: the upload limit, the ports of the
web processes, the internal download location, the commands the units run."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from poser.tasks.uploads import DEFAULT_MAX_BYTES
from poser.utils.settings import ENV_OVERRIDES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
NGINX = (DEPLOY / "nginx-poser.conf").read_text(encoding="utf-8")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_nginx_lets_through_the_largest_upload_poser_takes_and_little_more() -> None:
    (megabytes,) = re.findall(r"client_max_body_size (\d+)m;", NGINX)
    allowed = int(megabytes) * 1024 * 1024
    # Room for the form around the file, but not for a second file's worth.
    assert DEFAULT_MAX_BYTES < allowed < DEFAULT_MAX_BYTES * 1.1


def test_nginx_sends_to_the_web_processes_the_target_starts() -> None:
    upstream = re.search(r"upstream poser_web \{(.*?)\}", NGINX, re.DOTALL)
    assert upstream
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", upstream.group(1))
    wanted = unit("poser.target")["Unit"]["Wants"].split()
    assert len(ports) >= 2
    assert sorted(f"poser-web@{port}.service" for port in ports) == sorted(
        name for name in wanted if name.startswith("poser-web@")
    )


def test_the_internal_location_is_the_one_production_names() -> None:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "production.ini", encoding="utf-8")
    location = ini["app:main"]["poser.downloads.accel_redirect"]
    block = re.search(rf"location {re.escape(location)} \{{(.*?)\}}", NGINX, re.DOTALL)
    assert block, f"nginx has no location {location}"
    assert "internal;" in block.group(1)
    assert "alias /var/lib/poser/data/;" in block.group(1)  # the app dir of poser.env


def test_the_units_run_production_ini_with_the_environment_file() -> None:
    web = unit("poser-web@.service")["Service"]
    assert web["ExecStart"].endswith("pserve /srv/poser/production.ini http_port=%i")
    worker = unit("poser-worker.service")["Service"]
    assert worker["ExecStart"].endswith("poser -c /srv/poser/production.ini worker --no-periodic")
    scheduler = unit("poser-scheduler.service")["Service"]
    assert scheduler["ExecStart"].endswith("poser -c /srv/poser/production.ini scheduler")
    for service in (web, worker, scheduler):
        assert service["EnvironmentFile"] == "/etc/poser/poser.env"
        assert service["User"] == "poser"
        assert service["UMask"] == "0027"


def test_the_environment_file_names_only_variables_poser_reads() -> None:
    text = (DEPLOY / "poser.env").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?(POSER_\w+)=", text, re.MULTILINE))
    assert named <= set(ENV_OVERRIDES) | {"POSER_CONFIG"}
    assert {"POSER_SESSION_SECRET", "POSER_DATABASE_URL", "POSER_APPDIR"} <= named
    # No secret is committed: the secret's line is empty.
    assert re.search(r"^POSER_SESSION_SECRET=$", text, re.MULTILINE)
