"""``node-timing rules [ID]``: the rule catalogue, or one rule's documentation."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from node_timing.thresholds import Thresholds

DESCRIPTION = "List every rule with its severity and summary, or print one rule's documentation."

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing rules
  node-timing rules grace-vs-heartbeat
  node-timing rules grace-vs-heartbeat -c examples/thresholds/.node-timing.yml
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", nargs="?", metavar="ID", help="a rule id, e.g. grace-vs-heartbeat")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "-c",
        "--config",
        help="configuration file whose thresholds: to show with ID (default: .node-timing.yml "
        "found upward from the working directory)",
    )


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from node_timing import rules
    from node_timing.errors import UsageError

    catalogue = rules.catalogue()
    if args.rule:
        info = rules.by_id(args.rule)
        if info is None:
            raise UsageError(f"unknown rule {args.rule!r}; `node-timing rules` lists them")
        configured = _configured(args.config)
        info = rules.by_id(args.rule, configured) or info
        if args.format == "json":
            data = {**info.__dict__, "thresholds": _thresholds(info.id, configured)}
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
        else:
            sys.stdout.write(f"{info.id} ({info.severity})\n\n{info.doc}\n")
        return 0
    if args.format == "json":
        sys.stdout.write(
            json.dumps(
                [{"id": r.id, "severity": r.severity, "summary": r.summary} for r in catalogue],
                indent=2,
            )
            + "\n"
        )
        return 0
    width = max(len(r.id) for r in catalogue)
    for r in catalogue:
        sys.stdout.write(f"{r.id:<{width}}  {r.severity:<7}  {r.summary}\n")
    return 0


def _configured(config: str | None) -> Thresholds:
    """The thresholds of ``-c FILE``, else of the .node-timing.yml found upward from here (as
    `lint` finds one from its inventory); a broken file is a configuration error (exit 3)."""
    from pathlib import Path

    from node_timing import rules
    from node_timing.config import discover, load_config

    known = set(rules.ids())
    found = load_config(Path(config), known) if config else discover(Path("."), known)
    return found.thresholds


def _thresholds(rule_id: str, configured: Thresholds) -> list[dict[str, Any]]:
    """The rule's thresholds for ``--format json``."""
    from node_timing import thresholds

    return [
        {
            "name": t.name,
            "default": t.value,
            "unit": t.unit,
            "origin": t.origin,
            "source": t.source,
            "configurable": t.configurable,
            "configured": configured.value(t.name) if configured.is_configured(t.name) else None,
            "config": configured.path if configured.is_configured(t.name) else None,
        }
        for t in thresholds.of_rule(rule_id)
    ]
