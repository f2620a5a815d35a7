"""Poser as deployed, in a temporary folder: nginx with docs/deploy/nginx-poser.conf
(rendered for loopback ports), waitress processes from production.ini, a worker, a
scheduler, S3 on moto's server, on PostgreSQL and Redis. Every process is stopped at the
end, however the test ends."""

from __future__ import annotations

import datetime
import getpass
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE_CONF = ROOT / "docs" / "deploy" / "nginx-poser.conf"
#: How long a process may take to answer, and a stopped one to exit: bounds, not speeds.
START_SECONDS = 60
STOP_SECONDS = 10
#: The site's name in the test certificate: this machine.
HOST = "localhost"


#: Ports for the stack's servers: below Linux's ephemeral range (32768 and up), where
#: the kernel picks the local ports of outgoing connections (to PostgreSQL, Redis, S3),
#: so none of those can take a port between its choice here and its server's start.
PORTS = range(20000, 32000)
_taken: set[int] = set()


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on, not given out before."""
    while True:
        port = PORTS[secrets.randbelow(len(PORTS))]
        if port in _taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port


def wait_for(condition: Callable[[], Any], what: Callable[[], str], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what()}")


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Process:
    """One process of the stack, its output in ``<folder>/<name>.log``."""

    def __init__(self, name: str, args: list[str], folder: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                args, cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_for_port(self, port: int) -> None:
        def ready() -> bool:
            if not self.alive():
                raise AssertionError(
                    f"{self.name} exited ({self.popen.returncode}):\n{self.tail()}"
                )
            return answers(port)

        wait_for(ready, lambda: f"{self.name} on port {port}:\n{self.tail()}", START_SECONDS)

    def kill(self) -> None:
        """SIGKILL: the process dies as in a crash, with nothing finished."""
        self.popen.kill()
        self.popen.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=STOP_SECONDS)

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Stack:
    """The processes started so far; ``stop`` ends every one of them."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.processes: list[Process] = []

    def start(self, name: str, *args: str) -> Process:
        process = Process(name, list(args), self.folder, self.env)
        self.processes.append(process)
        return process

    def poser(self, *args: str, stdin: str = "") -> str:
        """A `poser` command with the stack's ini and environment; its output."""
        done = subprocess.run(
            [sys.executable, "-m", "poser", "-c", str(self.folder / "production.ini"), *args],
            cwd=self.folder,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"poser {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def logs(self) -> str:
        return "\n\n".join(f"== {p.name}\n{p.tail()}" for p in self.processes)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )


def render_site(
    folder: Path, *, web_ports: tuple[int, ...], http_port: int, https_port: int, data: Path
) -> str:
    """docs/deploy/nginx-poser.conf with this machine's ports, paths and certificate.
    Each replaced text must be there: the test runs the documented file, not another.
    One web port: the upstream's second server is left out (commented)."""
    import deform

    import poser.apps

    site = SITE_CONF.read_text(encoding="utf-8")
    replacements = {
        "server 127.0.0.1:6543 ": f"server 127.0.0.1:{web_ports[0]} ",
        "server 127.0.0.1:6544 ": (
            f"server 127.0.0.1:{web_ports[1]} "
            if len(web_ports) > 1
            else "# one web process: server 127.0.0.1:6544 "
        ),
        "listen 80;\n    listen [::]:80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;\n    listen [::]:443 ssl http2;": (
            f"listen 127.0.0.1:{https_port} ssl http2;"
        ),
        "/etc/letsencrypt/live/poser.example.com/fullchain.pem": str(folder / "tls.crt"),
        "/etc/letsencrypt/live/poser.example.com/privkey.pem": str(folder / "tls.key"),
        "/var/log/nginx/": f"{folder}/nginx-",
        "/srv/poser/venv/lib/python3.11/site-packages/poser/apps/static/": (
            str(Path(poser.apps.__file__).parent / "static") + "/"
        ),
        "/srv/poser/venv/lib/python3.11/site-packages/deform/static/": (
            str(Path(deform.__file__).parent / "static") + "/"
        ),
        "/var/lib/poser/data/": f"{data}/",
        # The test's one addition: which web process answered (nginx's address of it).
        "        proxy_pass http://poser_web;\n": (
            "        proxy_pass http://poser_web;\n"
            "        add_header X-Test-Upstream $upstream_addr always;\n"
        ),
    }
    for old, new in replacements.items():
        assert old in site, f"{SITE_CONF.name} no longer holds {old!r}: update the test"
        site = site.replace(old, new)
    return site


def nginx_conf(folder: Path, site: str) -> Path:
    """The main nginx.conf around the site: no daemon, its pid, logs and temporary files
    in ``folder``, running as the current user."""
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/nginx-{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/nginx-main-error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {folder}/nginx-main-access.log;\n{temp}\n"
        f"    include {folder}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return conf


def self_signed_certificate(folder: Path, host: str) -> Path:
    """A certificate for ``host`` (and its key) in ``folder``; the CA file to trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (folder / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    crt = folder / "tls.crt"
    crt.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return crt


def start_nginx(processes: Stack, web_ports: tuple[int, ...], data: Path) -> dict[str, Any]:
    """nginx with the documented site in front of ``web_ports``, its internal download
    location on ``data``: the site's https address, its plain http port, the CA file."""
    binary = nginx_binary()
    assert binary is not None
    folder = processes.folder
    http_port, https_port = free_port(), free_port()
    ca = self_signed_certificate(folder, HOST)
    site = render_site(
        folder, web_ports=web_ports, http_port=http_port, https_port=https_port, data=data
    )
    conf = nginx_conf(folder, site)
    nginx = processes.start(
        "nginx", binary, "-c", str(conf), "-p", str(folder), "-e", str(folder / "nginx-start.log")
    )
    return {
        "process": nginx,
        "base": f"https://{HOST}:{https_port}",
        "https_port": https_port,
        "http_port": http_port,
        "ca": str(ca),
    }
