"""Reading a node's systemd unit and environment files is linear in the files: counts, not times.

Every shape of benchmarks/gen_units.py (a variable named again and again, as ``$A`` and as
``${A}``, an ``EnvironmentFile=`` repeated, a command line of many words) is read at two sizes;
the characters the tokenisers and the expansion look at, and the environment files parsed, must
grow with the files, not with their square.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from node_timing.deployed import kubelet, systemd
from node_timing.deployed.held import HeldFiles

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from gen_units import SHAPES, unit_files


class Work:
    chars = 0
    env_files = 0


def _counting(func: Callable[..., Any], measure: Callable[..., int]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        Work.chars += measure(args, result)
        return result

    return wrapped


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> type[Work]:
    monkeypatch.setattr(
        systemd, "quoted_words", _counting(systemd.quoted_words, lambda a, r: len(a[0]))
    )
    monkeypatch.setattr(
        systemd,
        "_expansion",
        _counting(systemd._expansion, lambda a, r: sum(len(w.text) for w in r[0])),
    )

    def env_file_measure(args: tuple[Any, ...], _result: Any) -> int:
        Work.env_files += 1
        return len(args[0])

    monkeypatch.setattr(kubelet, "env_file", _counting(kubelet.env_file, env_file_measure))
    return Work


def _read(shape: str, size: int, work: type[Work]) -> tuple[int, int, kubelet.KubeletState]:
    work.chars = work.env_files = 0
    files = unit_files(shape, size)
    state = kubelet.read_kubelet_files(
        HeldFiles("/", texts=files), kubelet.knowledge.default_kube_version()
    )
    return work.chars, work.env_files, state


@pytest.mark.parametrize("shape", SHAPES)
def test_unit_reading_grows_with_the_file(shape: str, work: type[Work]) -> None:
    small_chars, small_files, _ = _read(shape, 64 << 10, work)
    big_chars, big_files, state = _read(shape, 256 << 10, work)
    # each byte is looked at a bounded number of times (the tokeniser may stop early) ...
    assert big_chars <= 2 * (256 << 10)
    assert big_chars <= 4 * small_chars + 4096
    # ... and an environment file named again and again is parsed once
    assert big_files == small_files <= 1
    if shape != "env-files":  # the others are past the command line's bounds
        assert any("not checked: the kubelet's command line" in p.message for p in state.problems)


def test_a_command_line_within_the_bounds_is_read_whole() -> None:
    words = " ".join(f"--node-labels=a{i}=b" for i in range(systemd.MAX_COMMAND_WORDS - 10))
    files = {
        systemd.UNIT_DIRS[0] + "/kubelet.service": (
            '[Service]\nEnvironment="A=--node-status-update-frequency=7s"\n'
            f"ExecStart=/usr/bin/kubelet {words} $A\n"
        )
    }
    state = kubelet.read_kubelet_files(
        HeldFiles("/", texts=files), kubelet.knowledge.default_kube_version()
    )
    assert not state.problems
    assert state.effective[kubelet.UPDATE].raw == "7s"


def test_the_last_mention_of_an_environment_file_wins() -> None:
    unit = systemd.UNIT_DIRS[0] + "/kubelet.service"
    files = {
        unit: (
            "[Service]\nEnvironmentFile=/a.env\nEnvironmentFile=/b.env\nEnvironmentFile=/a.env\n"
            "ExecStart=/usr/bin/kubelet $X\n"
        ),
        "/a.env": "X=--node-status-update-frequency=3s\n",
        "/b.env": "X=--node-status-update-frequency=9s\n",
    }
    state = kubelet.read_kubelet_files(
        HeldFiles("/", texts=files), kubelet.knowledge.default_kube_version()
    )
    assert state.effective[kubelet.UPDATE].raw == "3s"
    files[unit] = files[unit].replace("EnvironmentFile=/a.env\nExec", "Exec")
    state = kubelet.read_kubelet_files(
        HeldFiles("/", texts=files), kubelet.knowledge.default_kube_version()
    )
    assert state.effective[kubelet.UPDATE].raw == "9s"


def test_the_benchmark_measures_a_small_unit() -> None:
    import subprocess

    bench = Path(__file__).resolve().parent.parent / "benchmarks" / "units.py"
    proc = subprocess.run(
        [sys.executable, str(bench), "--sizes", "4096", "--shape", "expansion"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| expansion | 4 KiB |" in proc.stdout, proc.stdout
