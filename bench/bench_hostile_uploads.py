"""Benchmark: each hostile evidence file posted through the upload page, as a provider
would, with its outcome, the request's time and peak memory.

    .venv/bin/python bench/bench_hostile_uploads.py

Every file is built here (tests/hostile_zips.py, tests/hostile_pdf_samples.py), never
stored.
Each upload runs in a fresh process, so its figures are its own: "web" is how far the
request grew the web process's peak memory (ru_maxrss) and "checker" is the peak of the
bounded child process that ran the content checks (trackerapp/bounded.py). Uses
DATABASE_URL (default: the tracker_bench_hostile database on PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import ROOT, bench_django, without_static_manifest  # noqa: E402

DATABASE = "postgres://postgres@127.0.0.1:5432/tracker_bench_hostile"


def hostile_files() -> dict[str, tuple[str, Callable[[], bytes]]]:
    """name: (file name, builder), built only when that file is posted: the issue's
    hostile files, then ordinary ones as a control."""
    from tests import evidence_samples as samples
    from tests import hostile_pdf_samples as pdfs
    from tests import hostile_zips

    docx = samples.office("docx")

    def tampered(how: str) -> Callable[[], bytes]:
        return lambda: hostile_zips.tampered(docx, "[Content_Types].xml", how)

    files: dict[str, tuple[str, Callable[[], bytes]]] = {
        "PDF, JS opening action in an ASCIIHex object stream": (
            "hex.pdf",
            pdfs.javascript_in_hex_object_stream,
        ),
        "PDF, JS opening action after 51 MB of Flate padding": (
            "padded.pdf",
            lambda: pdfs.javascript_in_flate_object_stream(padding=51 * pdfs.MB),
        ),
        "PDF, 10 Flate bombs x 50 MB": ("bombs10.pdf", lambda: pdfs.flate_bombs(streams=10)),
        "PDF, 40 Flate bombs x 50 MB": ("bombs40.pdf", lambda: pdfs.flate_bombs(streams=40)),
        "PDF, 400 Flate bombs x 50 MB (about 20 MB)": (
            "bombs400.pdf",
            lambda: pdfs.flate_bombs(streams=400),
        ),
        "PDF, 400 object streams x 60 MB": (
            "objstm.pdf",
            lambda: pdfs.object_stream_bombs(streams=400, megabytes=60),
        ),
        "docx, directory under-states a 240 MB [Content_Types].xml": (
            "lying.docx",
            lambda: hostile_zips.lying(docx, "[Content_Types].xml", 240),
        ),
    }
    for how in hostile_zips.TAMPERINGS:
        files[f"docx, {how}"] = (f"{how.replace(' ', '-')}.docx", tampered(how))
    files["ordinary PDF (control)"] = ("report.pdf", lambda: pdfs.one_page_pdf())
    files["ordinary docx (control)"] = ("minutes.docx", lambda: docx)
    return files


def upload_one(name: str) -> dict:
    """Runs in its own process: posts one file and measures the request."""
    import resource
    import time
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.urls import reverse

    from accounts.choices import OrganisationKind, Role
    from bench.setup import signed_in_client
    from reviews.models import Review
    from tests import factories

    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    provider = factories.organisation(OrganisationKind.PROVIDER, f"HOSTILE-{run}")
    body = factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, f"HOSTILE-B-{run}")
    lead = factories.user(f"hostile.{run}", organisation=provider, role=Role.PROVIDER_LEAD)
    review = Review.objects.create(
        review_type=factories.review_type("DHR"),
        reference=f"BENCH {run}",
        title="Hostile uploads",
        commissioning_body=body,
        owner=body,
    )
    action = factories.action(on=factories.recommendation(review), owner=provider, lead_user=lead)
    client = signed_in_client(lead)
    filename, build = hostile_files()[name]
    data = build()
    upload = SimpleUploadedFile(filename, data)
    del data
    client.get(reverse("actions:detail", args=[action.pk]))  # warm: templates, sessions
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.post(
        reverse("actions:evidence_upload", args=[action.pk]),
        {"description": "Hostile file", "files": upload},
    )
    seconds = time.perf_counter() - started
    web_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    checker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    outcome = "accepted" if response.status_code == 302 else f"refused ({response.status_code})"
    stored = action.evidence.count()
    return {
        "outcome": outcome,
        "stored": stored,
        "seconds": seconds,
        "web_mib": web_kib / 1024,
        "checker_mib": checker_kib / 1024,
        "size_kib": (upload.size or 0) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    bench_django(DATABASE)
    without_static_manifest()  # before anything opens a storage
    if args.one:
        print(json.dumps(upload_one(args.one)))
        return
    print(
        f"{'file':<62} {'size':>9} {'outcome':<15} {'time':>7} {'web peak':>9} {'checker peak':>12}"
    )
    for name in hostile_files():
        done = subprocess.run(
            [sys.executable, __file__, "--one", name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{name:<62} {row['size_kib']:>6.0f} KB {row['outcome']:<15} "
            f"{row['seconds']:>5.2f} s {row['web_mib']:>+6.1f} MB {row['checker_mib']:>9.1f} MB"
        )


if __name__ == "__main__":
    main()
