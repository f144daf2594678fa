"""The application started as production runs it, for tests/production.

1. A clean virtualenv built with scripts/build_app.sh, the Dockerfile's own steps
   (install, then collectstatic with DEBUG off).
2. A throw-away PostgreSQL database and Redis database, an S3-compatible server (moto's
   standalone server, from PyPI) on 127.0.0.1 holding the private storage.
3. `migrate` and `load_demo`, then two gunicorn nodes (2 workers each, TLS with a
   self-signed certificate, as behind a terminating proxy the site is https only), a
   Celery worker and Celery beat, all from the clean virtualenv with DEBUG off and the
   second factor required.
Everything is stopped, and the databases dropped, when the tests are done.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from demo.loader import fixture
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# Every account the demo data creates, each signed in and crawled.
DEMO_ROLES = [person["username"] for person in fixture("people.yaml")["people"]]
BUCKET = "tracker-private"


@dataclass
class Stack:
    work: Path
    python: Path
    env: dict[str, str]
    nodes: list[str]
    certificate: Path
    database: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    # username -> base32 TOTP key enrolled through the app
    totp_keys: dict[str, str] = field(default_factory=dict)

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return run([str(self.python), "manage.py", *args], env=self.env, timeout=timeout, cwd=ROOT)

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def run(argv: list[str], *, env: dict[str, str], timeout: float, cwd: Path = ROOT):
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


def start(stack: Stack, name: str, argv: list[str], env: dict[str, str] | None = None):
    log = open(stack.work / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env or stack.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stack.processes.append(process)
    return process


def wait_until(check, *, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"timed out waiting for {what}")


def build_clean_virtualenv(work: Path) -> Path:
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {**os.environ, "PYTHON": str(python)}
    run(["scripts/build_app.sh", "install"], env=env, timeout=900)
    return python


def self_signed_certificate(work: Path) -> tuple[Path, Path]:
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def start_stack(work: Path) -> Stack:
    database_url = os.environ["DATABASE_URL"]
    server = urlsplit(database_url)
    database = f"tracker_production_{os.getpid()}"
    admin_url = server._replace(path="/postgres").geturl()
    _psql(admin_url, f"CREATE DATABASE {database}")

    python = build_clean_virtualenv(work)
    cert, key = self_signed_certificate(work)
    s3_port, ports = free_port(), [free_port(), free_port()]
    nodes = [f"https://localhost:{port}" for port in ports]
    env = {
        key_: value
        for key_, value in os.environ.items()
        if not key_.startswith(("DJANGO_", "PYTEST", "MFA_"))
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": ",".join(nodes),
            "SITE_URL": nodes[0],
            "DATABASE_URL": server._replace(path=f"/{database}").geturl(),
            "REDIS_URL": "redis://127.0.0.1:6379/13",
            "STATIC_ROOT": str(work / "static"),
            "STORAGE_S3_BUCKET": BUCKET,
            "STORAGE_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "STORAGE_S3_REGION": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "production-check",
            "AWS_SECRET_ACCESS_KEY": "production-check",
            "PRIVATE_STORAGE_ROOT": str(work / "no-local-storage"),
            "LOG_FORMAT": "json",
            "GUNICORN_CERTFILE": str(cert),
            "GUNICORN_KEYFILE": str(key),
            "WEB_CONCURRENCY": "2",
            "CELERY_BEAT_SCHEDULE_FILE": str(work / "celerybeat-schedule"),
            "PATH": f"{python.parent}:{os.environ.get('PATH', '')}",
        }
    )
    stack = Stack(
        work=work, python=python, env=env, nodes=nodes, certificate=cert, database=database
    )
    subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=False, capture_output=True)
    try:
        run(["scripts/build_app.sh", "static"], env={**env, "PYTHON": str(python)}, timeout=600)
        moto = shutil.which("moto_server", path=str(Path(sys.executable).parent))
        assert moto is not None, "moto_server is not installed next to this Python"
        start(stack, "s3", [moto, "-H", "127.0.0.1", "-p", str(s3_port)])
        wait_until(
            lambda: requests.get(f"http://127.0.0.1:{s3_port}/", timeout=2).ok, what="S3 server"
        )
        s3_client(stack).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
        stack.manage("migrate", "--no-input")
        stack.manage("load_demo", "--quiet")
        bin_dir = python.parent
        for index, port in enumerate(ports):
            start(
                stack,
                f"web{index + 1}",
                [
                    str(bin_dir / "gunicorn"),
                    "trackerapp.wsgi:application",
                    "--config",
                    "trackerapp/gunicorn.conf.py",
                ],
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            )
        start(
            stack,
            "worker",
            [
                str(bin_dir / "celery"),
                "-A",
                "trackerapp",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "info",
            ],
        )
        start(
            stack,
            "beat",
            [
                str(bin_dir / "celery"),
                "-A",
                "trackerapp",
                "beat",
                "--loglevel",
                "info",
                "--schedule",
                env["CELERY_BEAT_SCHEDULE_FILE"],
            ],
        )
        for node in nodes:
            wait_until(
                lambda node=node: requests.get(f"{node}/readyz", verify=str(cert), timeout=5).ok,
                what=f"{node}/readyz",
            )
    except BaseException:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: Stack) -> None:
    for process in stack.processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in stack.processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    server = urlsplit(os.environ["DATABASE_URL"])
    _psql(server._replace(path="/postgres").geturl(), f"DROP DATABASE IF EXISTS {stack.database}")


def s3_client(stack: Stack):
    """A client of the stack's S3 server, with the credentials the app is given."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=stack.env["STORAGE_S3_ENDPOINT_URL"],
        region_name=stack.env["STORAGE_S3_REGION"],
        aws_access_key_id=stack.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=stack.env["AWS_SECRET_ACCESS_KEY"],
    )


def _psql(url: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def query(stack: Stack, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(stack.env["DATABASE_URL"])
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()
