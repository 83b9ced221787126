"""The options every command that reads an inventory shares, read one way: the configuration file
(``-c``, else ``.node-timing.yml`` found upward from the inventory), the kubespray release, and
whether inventory sources that run code may be read. The command line wins over the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from node_timing.config import LintConfig
    from node_timing.evaluate.options import Options
    from node_timing.releases import Release

ALLOW_EXEC_HELP = (
    "read inventory sources that run code (executable scripts, inventory plugin configs) through "
    "ansible-core; without it they are reported and skipped"
)


def add_project_options(p: argparse._ActionsContainer, *, allow_exec: bool = True) -> None:
    """``--kubespray-version``, ``-c``/``--config``, ``-e``/``--extra-vars`` and (unless the
    command never executes anything, as ``fix``) ``--allow-exec``."""
    p.add_argument(
        "--kubespray-version",
        help="kubespray release the inventory is for: 2.31, v2.31.0 or master (default: "
        "galaxy.yml of the kubespray checkout holding the inventory, else the newest, guessed)",
    )
    p.add_argument(
        "-c", "--config", help="configuration file (default: .node-timing.yml found upward)"
    )
    if allow_exec:
        p.add_argument("--allow-exec", action="store_true", help=ALLOW_EXEC_HELP)
    p.add_argument(
        "-e",
        "--extra-vars",
        action="append",
        default=[],
        metavar="VARS",
        help="variables over every inventory variable, as ansible-playbook -e takes them: "
        "@FILE (YAML or JSON), key=value, or inline YAML/JSON; repeatable, the last one wins",
    )


def add_settings_options(
    p: argparse.ArgumentParser, title: str, nodes_help: str, version_default: str = ""
) -> None:
    """Where ``render`` and ``simulate`` take their settings from: a profile (``--profile``,
    ``--nodes``, ``--set``, ``--heartbeat-budget``) or an inventory (``--inventory`` read as
    ``lint`` reads it: ``-c``, ``--kubespray-version``, ``--allow-exec``), and the version."""
    from node_timing.commands.profile import _nodes, _positive_float

    source = p.add_argument_group(title)
    source.add_argument(
        "--profile", metavar="NAME", help="upstream, kubespray-default, fast, medium, low"
    )
    source.add_argument("--nodes", type=_nodes, help=nodes_help)
    source.add_argument(
        "--inventory", metavar="PATH", help="a kubespray inventory to take the settings from"
    )
    source.add_argument(
        "--kube-version",
        help="Kubernetes version: 1.35, 1.35.4 or v1.35.4 (default: the inventory's, with "
        f"--inventory{version_default})",
    )
    source.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="COMPONENT.SETTING=VALUE",
        help="override one setting (repeatable; with --profile)",
    )
    source.add_argument(
        "--heartbeat-budget",
        type=_positive_float,
        help="lease writes per second the cluster may spend on heartbeats (with --profile)",
    )
    add_project_options(source)


def project_config(args: argparse.Namespace, inventory: str | Path) -> LintConfig:
    """The configuration ``-c`` names, else the one found upward from ``inventory``."""
    from node_timing import rules
    from node_timing.config import discover, load_config

    known = set(rules.ids())
    config_path = getattr(args, "config", None)
    if config_path:
        return load_config(Path(config_path), known)
    return discover(Path(inventory), known)


def project_options(args: argparse.Namespace, config: LintConfig, **more: Any) -> Options:
    """The evaluation's options from the command line over ``config``; ``more`` names options a
    command takes from elsewhere (``heartbeat_budget``), or that it does not have (None)."""
    from node_timing.evaluate.options import Options

    values: dict[str, Any] = {
        "kube_version": getattr(args, "kube_version", None),
        "nodes": getattr(args, "nodes", None),
        "allow_exec": bool(getattr(args, "allow_exec", False)),
        "kubespray_version": getattr(args, "kubespray_version", None),
        "extra_vars": tuple(getattr(args, "extra_vars", None) or ()),
        **more,
    }
    return Options.from_config(config, **values)


def announce_release(release: Release | None) -> None:
    """Say on stderr which kubespray release was read from which file: the user did not name it,
    and it decides which Kubernetes versions pass and which one an unset kube_version means."""
    import sys

    from node_timing.display import printable

    if release is not None and release.how == "known" and not release.why.startswith("set with"):
        print(f"node-timing: {release.label} (from {printable(release.why)})", file=sys.stderr)
