"""Run real ansible-playbook and ansible-doc against temporary inventories, with no ansible.cfg.

The Ansible to use comes from ``NODE_TIMING_ANSIBLE_BIN`` (a directory holding ansible-playbook),
else the one on PATH. Plays run with connection local and the Python that runs Ansible, and see
this checkout's collection (``collections/``) and core (``src/``, or ``NODE_TIMING_CORE_PATH``).
``NODE_TIMING_WHEEL`` names a wheel already built from this checkout (the CI matrix builds one);
without it, the tests that install the wheel build it.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
_RUNS = itertools.count()


def build_wheel(out: Path) -> Path:
    """This checkout's wheel: ``NODE_TIMING_WHEEL`` when set, else built into ``out``."""
    given = os.environ.get("NODE_TIMING_WHEEL")
    if given:
        wheel = Path(given)
        if not (
            wheel.is_file() and wheel.name.startswith("node_timing-") and wheel.suffix == ".whl"
        ):
            raise RuntimeError(f"NODE_TIMING_WHEEL={given} is not a node_timing wheel")
        return wheel
    proc = subprocess.run(
        [ansible_python(), "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = out.glob("node_timing-*.whl")
    return wheel


def ansible_bin() -> Path:
    configured = os.environ.get("NODE_TIMING_ANSIBLE_BIN")
    if configured:
        path = Path(configured)
        if not (path / "ansible-playbook").exists():
            raise RuntimeError(f"NODE_TIMING_ANSIBLE_BIN={configured} holds no ansible-playbook")
        return path
    found = shutil.which("ansible-playbook")
    if not found:
        raise RuntimeError("no ansible-playbook on PATH; set NODE_TIMING_ANSIBLE_BIN")
    return Path(found).parent


def ansible_python() -> str:
    """The interpreter of ansible-playbook (its shebang), which the filters run in."""
    first = (ansible_bin() / "ansible-playbook").read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("#!").strip().split()[0]


def base_env(home: Path, collections: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.pop("PYTHONPATH", None)
    env.update(
        {
            "ANSIBLE_HOME": str(home / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(home / ".ansible" / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_DEPRECATION_WARNINGS": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "0",
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_CONFIG": str(home / "ansible.cfg"),  # absent: no configuration file at all
        }
    )
    if collections:
        env["ANSIBLE_COLLECTIONS_PATH"] = str(REPO / "collections")
        env["PYTHONPATH"] = os.environ.get("NODE_TIMING_CORE_PATH", str(REPO / "src"))
    return env


@dataclass
class Result:
    rc: int
    stdout: str
    stderr: str
    data: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"rc={self.rc}\n--- stdout\n{self.stdout[-6000:]}\n--- stderr\n{self.stderr[-3000:]}"

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        stats: dict[str, dict[str, int]] = self.data.get("stats", {})
        return stats

    def changed(self) -> int:
        return sum(s.get("changed", 0) for s in self.stats.values())

    def failures(self) -> int:
        return sum(s.get("failures", 0) + s.get("unreachable", 0) for s in self.stats.values())

    def task(self, name: str) -> dict[str, dict[str, Any]]:
        """Host → result of the (last) task called ``name``."""
        found: dict[str, dict[str, Any]] = {}
        for play in self.data.get("plays", []):
            for task in play.get("tasks", []):
                # Tasks of a role are named "<role> : <name>".
                if task["task"]["name"] == name or task["task"]["name"].endswith(f" : {name}"):
                    found = task["hosts"]
        if not found:
            raise AssertionError(f"no task named {name!r} ran\n{self}")
        return found

    def debug(self, name: str, host: str = "localhost") -> Any:
        """What a ``debug: var=x`` task called ``name`` printed for ``host``."""
        result = self.task(name)[host]
        values = [
            v
            for k, v in result.items()
            if k not in {"changed", "_ansible_no_log", "_ansible_verbose_always", "action"}
        ]
        return result.get("msg", values[0] if values else None)


def inventory_text(groups: dict[str, list[str]], python: str | None = None) -> str:
    lines = []
    for group, hosts in groups.items():
        lines.append(f"[{group}]")
        lines += hosts
        lines.append("")
    lines += [
        "[all:vars]",
        "ansible_connection=local",
        f"ansible_python_interpreter={python or ansible_python()}",
    ]
    return "\n".join(lines) + "\n"


def write_project(
    root: Path,
    plays: list[dict[str, Any]] | str,
    groups: dict[str, list[str]] | None = None,
    group_vars: dict[str, dict[str, Any]] | None = None,
    host_vars: dict[str, dict[str, Any]] | None = None,
) -> tuple[Path, Path]:
    """A playbook and an inventory (hosts file plus group_vars/host_vars) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    inv_dir = root / "inventory"
    inv_dir.mkdir(exist_ok=True)
    (inv_dir / "hosts").write_text(
        inventory_text(groups or {"ungrouped": ["localhost"]}), encoding="utf-8"
    )
    for kind, mapping in (("group_vars", group_vars), ("host_vars", host_vars)):
        for name, values in (mapping or {}).items():
            (inv_dir / kind).mkdir(exist_ok=True)
            (inv_dir / kind / f"{name}.yml").write_text(
                yaml.safe_dump(values, sort_keys=False), encoding="utf-8"
            )
    playbook = root / "play.yml"
    text = plays if isinstance(plays, str) else yaml.safe_dump(plays, sort_keys=False)
    playbook.write_text(text, encoding="utf-8")
    return playbook, inv_dir


def run_playbook(
    root: Path,
    playbook: Path,
    inventory: Path,
    *args: str,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> Result:
    run_env = dict(env or base_env(root))
    record = playbook.parent / f"record-{next(_RUNS)}.json"
    run_env["NODE_TIMING_RECORD"] = str(record)
    run_env["ANSIBLE_CALLBACK_PLUGINS"] = str(Path(__file__).parent / "callback_plugins")
    run_env["ANSIBLE_CALLBACKS_ENABLED"] = "node_timing_record"
    proc = subprocess.run(
        command
        or [str(ansible_bin() / "ansible-playbook"), "-i", str(inventory), str(playbook), *args],
        cwd=root,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    data = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    return Result(proc.returncode, proc.stdout, proc.stderr, data)


def play(tasks: list[dict[str, Any]], hosts: str = "all", **extra: Any) -> dict[str, Any]:
    return {"name": "test", "hosts": hosts, "gather_facts": False, **extra, "tasks": tasks}


def run_tool(
    root: Path, tool: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ansible_bin() / tool), *args],
        cwd=root,
        env=env or base_env(root),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
