"""Start and stop real gunicorn servers on loopback, as production runs them.

Used by the load run, the benchmarks and the tests that need a real server (faults, scale-out).
Every server is a process this module started, stopped by its own process group id.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent

# What a local production-like run needs on plain http: DEBUG off, no TLS redirect, cookies
# that work without https. Never what a real deployment sets.
PLAIN_HTTP_PRODUCTION = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(database: dict, *, host: str | None = None, port: int | None = None) -> str:
    """A DATABASE_URL for a Django DATABASES entry (e.g. the test database pytest made)."""
    user = quote(database.get("USER") or "")
    password = quote(database.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = host or database.get("HOST") or "127.0.0.1"
    port = port or int(database.get("PORT") or 5432)
    return f"postgres://{credentials}{host}:{port}/{quote(database['NAME'])}"


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        **PLAIN_HTTP_PRODUCTION,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], python: str = sys.executable) -> None:
    """Run a manage.py command in a subprocess; fail loudly with its output."""
    result = subprocess.run(
        [python, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def gunicorn(
    database_url: str,
    *,
    workers: int | None = None,
    log_path: Path,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
    cwd: Path = ROOT,
    ready_path: str = "/",
    start_timeout: float = 30,
) -> Iterator[Server]:
    """A gunicorn on a free loopback port with this repository's gunicorn.conf.py.

    `command` and `cwd` start another project's server the same way (the benchmark's peer).
    """
    port = free_port()
    full_env = server_env(database_url, **(env or {}))
    full_env.update(GUNICORN_BIND=f"127.0.0.1:{port}", SITE_URL=f"http://127.0.0.1:{port}")
    if workers is not None:  # else gunicorn.conf.py's default (or WEB_CONCURRENCY)
        full_env["WEB_CONCURRENCY"] = str(workers)
    argv = command or [sys.executable, "-m", "gunicorn"]
    argv = [*argv, "-c", str(ROOT / "gunicorn.conf.py")]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        _wait_until_ready(server, ready_path, start_timeout)
        yield server
    finally:
        stop(process)


def _wait_until_ready(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as response:  # noqa: S310
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{server.log()}")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a server this module started: graceful shutdown, then kill its group if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the master stops its workers
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
