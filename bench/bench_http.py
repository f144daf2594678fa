"""Benchmark over real HTTP: the portfolio pages served by gunicorn as in production,
against a reference page measured alternately in the same run.

    /work/main/.venv/bin/python bench/bench_http.py [--sizes 10000,100000,300000]
        [--seconds 4] [--connections 8] [--only dashboard,provider] [--db-prefix tracker_bench]
        [--fresh]

For each size it builds (once; later runs reuse it) a generated portfolio in its own
PostgreSQL database, <--db-prefix>_<size> (tracker_bench_10k, _100k, _300k by default),
with bench/portfolio.py;
signs in a commissioner of the owning ICB and a provider lead of one of its 20 providers
by writing their sessions, second factor passed, straight into the session table (as the
sign-in form and authenticator app would have left them); collects the static files as
the image build does (scripts/build_app.sh static) if they are not collected yet; and
starts gunicorn (trackerapp/gunicorn.conf.py, 2 sync workers) with DEBUG off and
production's settings: HTTPS only (the requests say they came through the TLS proxy,
X-Forwarded-Proto, as behind the load balancer), secure cookies, the second factor
required. It stops gunicorn when done.

The load is made here, by an asyncio client with keep-alive connections (--connections,
default 8, as wrk -c8), so nothing needs installing. For each page, the reference page is
measured for --seconds, then the page for --seconds; the ratio is the page's req/s over
the reference's just before it, so that the noise of a shared machine falls on both.

The pages keep their figures and drawings per person until the portfolio next changes
(docs/performance.md), so a page asked for again, as here, is answered from what was
kept. --fresh keeps nothing: each request then costs what the first request after a
write costs.

The reference is /bench/signed-in/, mounted only when BENCH_REFERENCE_VIEW is on (this
script sets it): a view that returns a short text once the request has passed every
middleware, signed in with the second factor. No existing page is as cheap: the lightest
(notifications) still reads the person's reminders, and /healthz answers before the
session and sign-in middleware, so it would not measure the same path.

Environment: PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432) and
Redis at REDIS_URL (default redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
REFERENCE = "/bench/signed-in/"
HOST = "127.0.0.1"
KEY = secrets.token_urlsafe(50)


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


# Set by --db-prefix: a run that must not touch another's databases names its own.
DB_PREFIX = "tracker_bench"


def database_url(size: int) -> str:
    return f"{PG}/{DB_PREFIX}_{size_label(size)}"


# --- preparing a database (run in a child process: one Django setup per database) ----


def prepare(size: int) -> dict:
    """Migrates, generates the portfolio if it is not there yet, signs the two people in
    and returns their session keys and the pages to measure."""
    from bench.setup import bench_django

    bench_django(database_url(size))
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.choices import Role
    from accounts.models import Membership, Organisation, User
    from accounts.sessions import LAST_ACTIVE_AT, SIGNED_IN_AT
    from actions.models import Action
    from bench.portfolio import existing_actions, generate
    from governance.models import Forum
    from reviews.models import Review, ReviewType, Theme

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    commissioner = generate(size)
    took = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    provider_org = Organisation.objects.get(short_name="BENCH P00")
    provider, created = User.objects.get_or_create(username="bench.provider")
    if created:
        provider.set_password("bench-password-123")
        provider.save()
        Membership.objects.create(user=provider, organisation=provider_org, role=Role.PROVIDER_LEAD)

    def session_for(user: User) -> str:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Benchmark", defaults={"confirmed": True}
        )
        session = SessionStore()
        now = timezone.now().timestamp()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SIGNED_IN_AT] = now
        session[LAST_ACTIVE_AT] = now
        session.create()
        assert session.session_key
        return session.session_key

    review = Review.objects.filter(reference__startswith="BENCH").order_by("pk")[5]
    first_rec = review.recommendations.order_by("pk").first()
    assert first_rec is not None
    action = Action.objects.filter(recommendation__review=review).order_by("pk").first()
    assert action is not None
    actions = reverse("actions:list")
    pages = [
        ("dashboard", "commissioner", reverse("home"), {}),
        ("action list, no filter", "commissioner", actions, {}),
        ("action list, status", "commissioner", actions, {"status": "off_track"}),
        ("action list, overdue", "commissioner", actions, {"overdue": "on"}),
        (
            "action list, due between",
            "commissioner",
            actions,
            {"due_from": "01/01/2027", "due_to": "31/03/2027"},
        ),
        ("action list, owner", "commissioner", actions, {"owner": first_rec.addressed_to_id}),
        ("action list, lead", "commissioner", actions, {"lead": commissioner.pk}),
        (
            "action list, review type",
            "commissioner",
            actions,
            {"review_type": ReviewType.objects.get(code="SAR").pk},
        ),
        ("action list, review", "commissioner", actions, {"review": review.reference}),
        (
            "action list, forum",
            "commissioner",
            actions,
            {"forum": Forum.objects.filter(short_name__startswith="BENCH").first().pk},  # type: ignore[union-attr]
        ),
        (
            "action list, theme",
            "commissioner",
            actions,
            {"theme": Theme.objects.filter(name__startswith="bench").first().pk},  # type: ignore[union-attr]
        ),
        ("action list, by owner, page 40", "commissioner", actions, {"sort": "owner", "page": 40}),
        ("review register", "commissioner", reverse("reviews:list"), {}),
        ("provider home", "provider", reverse("home"), {}),
        ("action page", "commissioner", action.get_absolute_url(), {}),
    ]
    from urllib.parse import urlencode

    open_for_provider = Action.objects.open().filter(owner_organisation=provider_org).count()
    return {
        "size": size,
        "actions": existing_actions(),
        "generated_in": round(took, 1),
        "provider_open_actions": open_for_provider,
        "sessions": {
            "commissioner": session_for(commissioner),
            "provider": session_for(provider),
        },
        "pages": [
            (label, who, url + ("?" + urlencode(params, doseq=True) if params else ""))
            for label, who, url, params in pages
        ],
    }


# --- gunicorn -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(size: int, port: int, static_root: Path, *, fresh: bool = False) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trackerapp.settings",
        "DEBUG": "false",
        "SECRET_KEY": KEY,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url(size),
        "REDIS_URL": REDIS,
        "STATIC_ROOT": str(static_root),
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "FORWARDED_ALLOW_IPS": HOST,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "WEB_CONCURRENCY": "2",
        "BENCH_REFERENCE_VIEW": "true",
        "EMAIL_HOST": "",
        # --fresh: nothing kept, each request as the first after a write.
        "KEEP_PORTFOLIO_FIGURES": "false" if fresh else "true",
    }


def collect_static(static_root: Path) -> None:
    if (static_root / "staticfiles.json").exists():
        return
    env = {**os.environ, "PYTHON": sys.executable, "STATIC_ROOT": str(static_root)}
    subprocess.run([str(ROOT / "scripts" / "build_app.sh"), "static"], env=env, check=True)


def start_gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "trackerapp.wsgi", "-c", "trackerapp/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()}")
        try:
            with socket.create_connection((HOST, int(env["GUNICORN_BIND"].rsplit(":", 1)[1]))):
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError("gunicorn did not start in 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the load -------------------------------------------------------------------------


def request_bytes(path: str, session_key: str, port: int) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\n"
        f"Host: {HOST}:{port}\r\n"
        "X-Forwarded-Proto: https\r\n"
        "Accept: text/html\r\n"
        f"Cookie: sessionid={session_key}\r\n"
        "\r\n"
    ).encode()


async def _one(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes, bool]:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    location = b""
    close = False
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"location":
            location = value.strip()
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, location, close


async def _load(port: int, raw: bytes, seconds: float, connections: int) -> dict:
    latencies: list[float] = []
    failures: list[str] = []
    end = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                status, location, close = await _one(reader, writer, raw)
                if close:
                    # gunicorn's sync workers answer one request per connection (as
                    # for wrk, the new connection is part of the request's time).
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    failures.append(f"HTTP {status} {location.decode()}".strip())
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "rps": n / elapsed,
        "p50": 1000 * statistics.median(latencies) if n else 0.0,
        "p99": 1000 * latencies[min(n - 1, int(n * 0.99))] if n else 0.0,
        "failures": failures,
    }


def load(port: int, raw: bytes, seconds: float, connections: int) -> dict:
    return asyncio.run(_load(port, raw, seconds, connections))


def check_page(port: int, raw: bytes, label: str) -> None:
    result = load(port, raw, 0.01, 1)
    if result["failures"]:
        raise SystemExit(f"{label}: {result['failures'][0]}, not 200")


# --- the run --------------------------------------------------------------------------


def measure(size: int, args: argparse.Namespace, static_root: Path, work: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, __file__, "--prepare", str(size), "--db-prefix", DB_PREFIX],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # The sessions are signed with the key the server will check them with.
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "trackerapp.settings", "SECRET_KEY": KEY},
    )
    if done.returncode:
        raise SystemExit(f"preparing {size} actions failed:\n{done.stdout}\n{done.stderr}")
    prepared = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"\n{prepared['actions']:,} generated actions in {database_url(size).rsplit('/', 1)[1]} "
        f"(ready in {prepared['generated_in']} s); the provider has "
        f"{prepared['provider_open_actions']:,} open actions",
        flush=True,
    )
    port = free_port()
    env = server_env(size, port, static_root, fresh=args.fresh)
    process = start_gunicorn(env, work / f"gunicorn-{size}.log")
    rows = []
    try:
        sessions = prepared["sessions"]
        reference = request_bytes(REFERENCE, sessions["commissioner"], port)
        check_page(port, reference, "reference")
        pages = [p for p in prepared["pages"] if not args.only or any(o in p[0] for o in args.only)]
        for label, who, path in pages:
            raw = request_bytes(path, sessions[who], port)
            check_page(port, raw, label)
            load(port, raw, min(1.0, args.seconds / 4), args.connections)  # warm up
            ref = load(port, reference, args.seconds, args.connections)
            page = load(port, raw, args.seconds, args.connections)
            row = {
                "size": size,
                "page": label,
                "rps": page["rps"],
                "p50": page["p50"],
                "p99": page["p99"],
                "ref_rps": ref["rps"],
                "ratio": ref["rps"] / page["rps"] if page["rps"] else float("inf"),
                "failures": len(page["failures"]) + len(ref["failures"]),
            }
            rows.append(row)
            print(format_row(row), flush=True)
    finally:
        stop(process)
    return rows


HEADER = (
    f"{'actions':>7}  {'page':<32} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
    f"{'ref req/s':>9} {'ref/page':>8}"
)


def format_row(row: dict) -> str:
    failed = f"  ({row['failures']} not 200)" if row["failures"] else ""
    return (
        f"{size_label(row['size']):>7}  {row['page']:<32} {row['rps']:>7.1f} {row['p50']:>7.1f} "
        f"{row['p99']:>7.1f} {row['ref_rps']:>9.1f} {'1/' + format(row['ratio'], '.1f'):>8}"
        f"{failed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", default="", help="comma-separated parts of page labels")
    parser.add_argument(
        "--db-prefix",
        default="tracker_bench",
        help="databases are named <prefix>_10k, <prefix>_100k, ... (made once, then reused)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="keep nothing (KEEP_PORTFOLIO_FIGURES=false): every request works out and "
        "draws its page, as the first request after a write to the portfolio does",
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global DB_PREFIX
    DB_PREFIX = args.db_prefix
    if args.prepare:
        print(json.dumps(prepare(args.prepare)))
        return
    # Stopped from outside: still stop gunicorn on the way out (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.only = [o.strip() for o in args.only.split(",") if o.strip()]
    sizes = [int(s) for s in args.sizes.split(",")]
    static_root = ROOT / "var" / "bench-static"
    collect_static(static_root)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        print(HEADER, flush=True)
        for size in sizes:
            rows += measure(size, args, static_root, Path(tmp))
    kept = "nothing kept (--fresh)" if args.fresh else "figures and drawings kept"
    print(
        f"\nSummary, {kept} (ref/page: how many times slower than the reference; "
        "1/10 is the target)"
    )
    print(HEADER)
    for row in rows:
        print(format_row(row))
    if len(sizes) > 1:
        print(
            f"\nTime per request at {size_label(sizes[-1])} over {size_label(sizes[0])} (1/req/s):"
        )
        by = {(r["size"], r["page"]): r for r in rows}
        for label in dict.fromkeys(r["page"] for r in rows):
            first, last = by.get((sizes[0], label)), by.get((sizes[-1], label))
            if first and last and last["rps"]:
                print(f"  {label:<32} {first['rps'] / last['rps']:.2f}x")


if __name__ == "__main__":
    main()
