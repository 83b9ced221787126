"""Write what ``fix`` changed: each file atomically, inside the project root, and only if it has
not changed on disk since it was read; SIGINT and SIGTERM stop it between two files."""

from __future__ import annotations

import hashlib
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node_timing.fix.overlay import FileChange
from node_timing.render.write import UnsafePathError, atomic_write, make_dirs, read_regular


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass
class WriteReport:
    """What ``write_back`` did, file by file."""

    written: list[FileChange] = field(default_factory=list)
    stale: list[FileChange] = field(default_factory=list)  # changed on disk since read
    failed: list[tuple[FileChange, str]] = field(default_factory=list)  # and why
    interrupted: int | None = None  # the signal that stopped it before the rest


@contextmanager
def deferred_signals() -> Iterator[list[int]]:
    """SIGINT and SIGTERM are noted instead of acted on; the caller stops between two files.

    Installed only around the write-back: a signal while one file is being replaced would
    otherwise leave its temporary file, or stop halfway through the inventory without saying
    which files were already written.
    """
    received: list[int] = []

    def note(signum: int, _frame: object) -> None:
        received.append(signum)

    previous: dict[int, Any] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with suppress(ValueError):  # not the main thread: signals cannot be caught here
                previous[sig] = signal.signal(sig, note)
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def write_back(changes: list[FileChange], root: str) -> WriteReport:
    """Write every change atomically inside ``root``, one file after the other; a file that
    changed on disk since it was read is left alone. SIGINT/SIGTERM stop it between two files."""
    report = WriteReport()
    with deferred_signals() as received:
        for change in changes:
            if received:
                report.interrupted = received[0]
                break
            try:
                now = read_regular(change.path)
                if digest(now) != digest(change.old):
                    report.stale.append(change)
                    continue
                if change.old is None:
                    make_dirs(root, Path(change.path).parent)
                atomic_write(Path(change.path), change.new, root)
            except UnsafePathError as exc:
                report.failed.append((change, str(exc)))
                continue
            except OSError as exc:
                report.failed.append((change, exc.strerror or str(exc)))
                continue
            report.written.append(change)
        else:
            if received:  # arrived during the last file: every file is written
                report.interrupted = received[0]
    return report
