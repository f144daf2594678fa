"""A real ClamAV daemon for the virus-scan tests: Debian's clamd (.ci/run installs
clamav-daemon) on a loopback port, with a signature database written at test time that
detects the EICAR test file and nothing else. The official database cannot be used:
freshclam needs the internet, which CI does not have."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

from django.conf import settings

from tests.ports import free_port

# The standard 68-byte EICAR test file, kept in pieces and joined at run time so that no
# committed file (nor the bytecode Python compiles from it) holds the whole string, which
# antivirus on a developer's machine would quarantine.
_EICAR_PARTS = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", b"EICAR-STANDARD-", b"ANTIVIRUS-TEST-FILE!$H+H*")
EICAR_SIGNATURE_NAME = "Eicar-Test-Signature"
START_TIMEOUT = 30.0


def eicar() -> bytes:
    return b"".join(_EICAR_PARTS)


def clamd_binary() -> str | None:
    # Debian puts clamd in /usr/sbin, which is not on a normal user's PATH.
    found = shutil.which("clamd")
    if found:
        return found
    return "/usr/sbin/clamd" if Path("/usr/sbin/clamd").is_file() else None


class Clamd:
    """One clamd in `directory`, listening on 127.0.0.1; start() returns once it answers
    PING. `started_in` is how long that took, in seconds."""

    def __init__(self, binary: str, directory: Path):
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in = 0.0

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        parts = [self.directory / "clamd.log", self.directory / "clamd.out"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def _write_config(self) -> Path:
        database = self.directory / "db"
        database.mkdir(parents=True, exist_ok=True)
        # A hash signature (md5:size:name) matches the exact file, so the database itself
        # never contains the EICAR string. ClamAV reports it with ".UNOFFICIAL" appended.
        sample = eicar()
        (database / "eicar.hdb").write_text(
            f"{hashlib.md5(sample).hexdigest()}:{len(sample)}:{EICAR_SIGNATURE_NAME}\n"
        )
        config = self.directory / "clamd.conf"
        # Not /etc/clamav/clamd.conf: no User (the test's own user runs it, root in CI), no
        # system socket, and a stream limit above the largest upload the app accepts, so a
        # big clean file is scanned rather than cut off.
        config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    "TCPAddr 127.0.0.1",
                    f"TCPSocket {self.port}",
                    f"DatabaseDirectory {database}",
                    f"LogFile {self.directory / 'clamd.log'}",
                    f"PidFile {self.directory / 'clamd.pid'}",
                    f"StreamMaxLength {settings.EVIDENCE_MAX_UPLOAD_BYTES + 1024 * 1024}",
                    "",
                ]
            )
        )
        return config

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"zPING\0")
                return conn.recv(16) == b"PONG\0"
        except OSError:
            return False

    def start(self) -> None:
        config = self._write_config()
        began = time.monotonic()
        with (self.directory / "clamd.out").open("wb") as out:
            self.process = subprocess.Popen(
                [self.binary, "-c", str(config)], stdout=out, stderr=subprocess.STDOUT
            )
        while not self.ping():
            if self.process.poll() is not None:
                raise RuntimeError(f"clamd exited with {self.process.returncode}:\n{self.log}")
            if time.monotonic() - began > START_TIMEOUT:
                self.stop()
                raise RuntimeError(f"clamd did not answer PING in {START_TIMEOUT}s:\n{self.log}")
            time.sleep(0.05)
        self.started_in = time.monotonic() - began

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
