"""Runs a function over untrusted input in a child process with a memory, CPU and
wall-clock bound, so that one hostile upload cannot take the web worker's memory or
hold it past its request timeout (docs/evidence.md).

The child is forked: it shares the parent's loaded code and the input bytes without
copying or pickling them, starts in milliseconds, and is limited by setrlimit before it
runs the function:

- RLIMIT_AS caps its address space at what it inherited plus `memory_bytes`, so an
  allocation past the budget fails in the child (MemoryError, or a C++ bad_alloc that
  ends the child) and never grows the web worker;
- RLIMIT_CPU ends it after `cpu_seconds` of CPU;
- the parent waits at most `wall_seconds` and then kills it.

The child touches no database connection or file it inherited, and leaves by os._exit
(multiprocessing's fork start method), so nothing of the parent's is closed or flushed
twice. Only the function's return value, or the ValidationError it raised, comes back.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import signal
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class BoundExceeded(Exception):
    """The function ran out of memory or time, or its process died."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "memory", "time" or "crashed"


def _address_space_in_use() -> int:
    """The process's current virtual size (VmSize), which RLIMIT_AS counts."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _messages_and_codes(refusal: ValidationError) -> list[tuple[str, str | None]]:
    if hasattr(refusal, "error_dict"):
        return [(message, None) for message in refusal.messages]
    return [(str(next(iter(error))), error.code) for error in refusal.error_list]


def _child(
    connection: Any,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    memory_bytes: int,
    cpu_seconds: int,
) -> None:
    try:
        in_use = _address_space_in_use()
        if in_use:
            limit = in_use + memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        outcome: tuple[str, Any] = ("ok", func(*args))
    except ValidationError as refusal:
        outcome = ("refused", _messages_and_codes(refusal))
    except MemoryError:
        outcome = ("memory", None)
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which decides
        outcome = ("error", f"{type(error).__name__}: {error}"[:500])
    try:
        connection.send(outcome)
    except MemoryError:
        connection.send(("memory", None))
    finally:
        connection.close()


def run_bounded(
    func: Callable[..., T],
    *args: Any,
    memory_bytes: int,
    cpu_seconds: int,
    wall_seconds: float,
) -> T:
    """func(*args) in a bounded child. Returns its result; re-raises a ValidationError
    it raised (with the same messages); raises BoundExceeded when it ran out of memory
    or time or died, and RuntimeError for any other exception in it."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sender, func, args, memory_bytes, cpu_seconds), daemon=True
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(wall_seconds):
            raise BoundExceeded("time")
        try:
            kind, value = receiver.recv()
        except EOFError:  # the child died without a word: killed by a limit, or crashed
            process.join(5)
            out_of_cpu = process.exitcode == -signal.SIGXCPU
            raise BoundExceeded("time" if out_of_cpu else "crashed") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if kind == "ok":
        return value
    if kind == "refused":
        raise ValidationError([ValidationError(message, code=code) for message, code in value])
    if kind == "memory":
        raise BoundExceeded("memory")
    raise RuntimeError(value)
