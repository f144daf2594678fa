"""Benchmark: the evidence PDF check against hostile PDFs, one fresh process per file.

    .venv/bin/python bench/bench_pdf_check.py [--repo PATH] [--timeout 120]

Builds each file of tests/hostile_pdf_samples.py (plus an ordinary WeasyPrint PDF),
then runs `actions.evidence_files._check_pdf` on it in a child process started in
--repo (default: this checkout; point it at another checkout to measure its check on
the same files). Prints the file size, the outcome, the CPU and wall time of the check,
and the child's peak resident memory (ru_maxrss) before and after the check: Python,
Django and the parser account for the first. Target: every file decided within
EVIDENCE_PDF_CHECK_SECONDS (default 10 s), far inside gunicorn's 30 s timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, resource, sys, time
# Settings only, not django.setup(): loading every app would hide the check's memory.
from django.core.exceptions import ValidationError
from actions.evidence_files import _check_pdf
data = open(sys.argv[1], "rb").read()
from django.conf import settings
settings.EVIDENCE_MAX_UPLOAD_BYTES  # loads the settings before the clock starts
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
cpu, wall = time.process_time(), time.perf_counter()
try:
    _check_pdf(data, "file.pdf")
    outcome = "accepted"
except ValidationError as error:
    outcome = "refused: " + " ".join(error.messages)[10:70]
print(json.dumps({
    "outcome": outcome,
    "cpu": time.process_time() - cpu,
    "wall": time.perf_counter() - wall,
    "before_mb": before,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def hostile_files() -> dict[str, bytes]:
    from governance.rendering import render_pdf
    from tests import hostile_pdf_samples as hostile

    paper, _pages = render_pdf(
        '<html lang="en"><h1>Audit of CPA care plans</h1><p>42 of 50 compliant.</p></html>'
    )
    return {
        "ordinary (WeasyPrint)": paper,
        "JS, ASCIIHex object stream": hostile.javascript_in_hex_object_stream(),
        "JS, Flate object stream": hostile.javascript_in_flate_object_stream(),
        "JS after 51 MB padding": hostile.javascript_in_flate_object_stream(
            padding=51 * hostile.MB
        ),
        "10 Flate bombs x 50 MB": hostile.flate_bombs(streams=10),
        "40 Flate bombs x 50 MB": hostile.flate_bombs(streams=40),
        "500 Flate bombs x 50 MB": hostile.flate_bombs(streams=500),
        "400 object streams x 60 MB": hostile.object_stream_bombs(streams=400, megabytes=60),
    }


def build(folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackerapp.settings")
    import django

    django.setup()
    for number, (label, data) in enumerate(hostile_files().items()):
        (folder / f"{number:02d}.pdf").write_bytes(data)
        (folder / f"{number:02d}.txt").write_text(label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.build)
        return

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "trackerapp.settings"}
    print(
        f"{'file':30} {'size':>9} {'cpu s':>7} {'wall s':>7} {'RSS MB':>7} {'peak MB':>8}  outcome"
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        # Built in a process of its own: Linux carries a parent's peak memory over into
        # the ru_maxrss of the children it starts, so this process stays small.
        subprocess.run([sys.executable, __file__, "--build", name], check=True, env=env)
        for path in sorted(folder.glob("*.pdf")):
            label = path.with_suffix(".txt").read_text()
            size = f"{path.stat().st_size / 1024:,.0f} KB"
            try:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path)],
                    cwd=args.repo,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    check=True,
                )
            except subprocess.TimeoutExpired:
                print(f"{label:30} {size:>9} {'':>7} {'>' + str(args.timeout):>7}")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{label:30} {size:>9} {row['cpu']:7.2f} {row['wall']:7.2f} "
                f"{row['before_mb']:7.0f} {row['peak_mb']:8.0f}  {row['outcome']}"
            )


if __name__ == "__main__":
    main()
