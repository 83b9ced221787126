"""The progress line: only on a terminal, only after the delay, erased at the end."""

from __future__ import annotations

import io
import threading

from node_timing.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_before_the_delay_then_one_line_erased_at_the_end() -> None:
    stream, clock = Terminal(), Clock()
    with Progress("lint", stream=stream, clock=clock, delay=2, ticker=False) as p:
        p.phase("reading the inventory")
        p.draw()
        assert stream.getvalue() == ""
        clock.now += 2.5
        p.draw()
        assert stream.getvalue() == "\r\x1b[Knode-timing: lint: reading the inventory (2s)"
        p.update(1234, 5000, "hosts")
        clock.now += 10
        p.draw()
        assert stream.getvalue().endswith("\r\x1b[Knode-timing: lint: 1,234/5,000 hosts (12s)")
    assert stream.getvalue().endswith("\r\x1b[K")


def test_silent_when_not_a_terminal_or_quiet() -> None:
    clock = Clock()
    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        with Progress("lint", stream=stream, quiet=quiet, clock=clock, delay=0) as p:
            clock.now += 10
            p.phase("reading")
            p.draw()
        assert stream.getvalue() == ""


def test_a_long_name_stays_one_terminal_line_without_escapes() -> None:
    stream, clock = Terminal(), Clock()
    p = Progress("lint", stream=stream, clock=clock, delay=0, ticker=False)
    p.update(1, 2, "evil\x1b]0;title\x07" + "x" * 500)
    p.draw()
    line = stream.getvalue().removeprefix("\r\x1b[K")
    assert len(line) == 79 and "\n" not in line
    assert "\x07" not in line and "\x1b" not in line
    p.close()


def test_the_ticker_redraws_while_the_caller_is_busy() -> None:
    class Drawn(Terminal):
        def __init__(self) -> None:
            super().__init__()
            self.seen = threading.Event()

        def write(self, text: str) -> int:
            if "busy" in text:
                self.seen.set()
            return super().write(text)

    stream = Drawn()
    with Progress("lint", stream=stream, delay=0, interval=0.01) as p:
        p.phase("busy")
        # the caller reports nothing more; the thread alone must draw the line
        assert stream.seen.wait(30)
    assert stream.getvalue().endswith("\r\x1b[K")


def test_lint_writes_no_progress_to_a_pipe(cli) -> None:
    from pathlib import Path

    inventory = Path(__file__).resolve().parents[1] / "examples" / "inventory" / "mycluster"
    for extra in ((), ("--quiet",)):
        r = cli("lint", str(inventory), *extra)
        assert r.code == 0, r.err
        assert "\x1b[K" not in r.err and "\r" not in r.err
        assert r.err.startswith("node-timing: read inventory.ini")


def test_simulate_writes_no_progress_to_a_pipe(cli) -> None:
    args = ("simulate", "--profile", "medium", "--nodes", "100", "--runs", "3")
    for extra in ((), ("--quiet",)):
        r = cli(*args, *extra)
        assert r.code == 0, r.err
        assert r.err == ""
