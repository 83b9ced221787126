"""``node-timing rules [ID]``: the rule catalogue, or one rule's documentation."""

from __future__ import annotations

import argparse

DESCRIPTION = "List every rule with its severity and summary, or print one rule's documentation."

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing rules
  node-timing rules grace-vs-heartbeat
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", nargs="?", metavar="ID", help="a rule id, e.g. grace-vs-heartbeat")
    p.add_argument("--format", choices=("text", "json"), default="text")


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
        if args.format == "json":
            sys.stdout.write(json.dumps(info.__dict__, indent=2) + "\n")
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
