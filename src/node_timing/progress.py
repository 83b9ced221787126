"""A status line on stderr for work that can take more than a few seconds.

Reading a 5,000-host inventory or simulating an outage takes long enough that a silent terminal
looks hung. The line appears only when stderr is a terminal (a pipe, a CI log or a file gets
nothing, so output stays byte-identical there), only once the work has run for ``delay`` seconds,
and is erased when the work ends, so it never mixes with what is printed afterwards. ``--quiet``
turns it off.

The command names its phases (``progress.phase("reading the inventory")``) and may report counts;
a background thread redraws the line with the elapsed time, so a phase that runs long without
reporting (one huge file) still shows that it is alive.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

# erase the line: carriage return, then ANSI "erase to end of line"
_CLEAR = "\r\x1b[K"
_WIDTH = 79  # one terminal line: a long name must not wrap, or the next redraw cannot erase it


class Progress:
    """``with Progress("lint") as p: p.phase("reading the inventory"); ...``."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        delay: float = 2.0,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        ticker: bool = True,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and callable(isatty) and bool(isatty())
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.drawn = False
        self._status = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.enabled and ticker:
            self._thread = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._thread.start()

    def phase(self, text: str) -> None:
        """Name what is being done now."""
        self._set(text)

    def update(self, done: int, total: int | None = None, what: str = "") -> None:
        """Report ``done`` of ``total`` units (``what``: a short name of the current one)."""
        count = f"{done:,}/{total:,}" if total else f"{done:,}"
        self._set(f"{count} {what}".rstrip())

    def draw(self) -> None:
        """Redraw the line now, if it is due (the ticker calls this every ``interval``)."""
        with self._lock:
            if not self.enabled or self._stop.is_set():
                return
            elapsed = self.clock() - self.started
            if elapsed < self.delay:
                return
            # a file name from the inventory: no terminal escape reaches the screen
            from node_timing.display import printable

            text = f"node-timing: {self.label}: {printable(self._status)} ({elapsed:.0f}s)"
            self.stream.write(_CLEAR + text[:_WIDTH])
            self.stream.flush()
            self.drawn = True

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.drawn:
                self.stream.write(_CLEAR)
                self.stream.flush()
                self.drawn = False

    def _set(self, status: str) -> None:
        with self._lock:
            self._status = status

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            self.draw()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
