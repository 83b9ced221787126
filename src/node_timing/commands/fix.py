"""``node-timing fix PATH``: repair in place the findings that have one unambiguous repair."""

from __future__ import annotations

import argparse

from node_timing.commands._project import (
    add_project_options,
    announce_release,
    project_config,
    project_options,
)

DESCRIPTION = (
    "Repair an inventory's findings that have one unambiguous repair (seconds-format, "
    "removed-setting, duplicate-setting, report-frequency, misplaced-setting, duration-format of "
    "bare kubelet seconds; with --profile every timing setting), editing only the lines that must "
    "change. Exit codes: 0 nothing to do, 8 everything failing was fixed, 2 failing findings "
    "remain (or, with --check, something would change; or a file changed on disk meanwhile), "
    "3 usage error, 5 no inventory at PATH, 130/143 interrupted by SIGINT/SIGTERM while writing "
    "(the files already written are named; every file is either old or new)."
)

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing fix examples/inventory/mycluster --check --diff
  node-timing fix examples/inventory/mycluster --rules report-frequency
  node-timing fix examples/inventory/mycluster --profile medium --check
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inventory", metavar="PATH", help="inventory directory or file")
    p.add_argument(
        "--profile", metavar="NAME", help="also set every timing setting to this profile's values"
    )
    p.add_argument("--rules", metavar="ID,...", help="fix only these rules (comma-separated ids)")
    p.add_argument("--diff", action="store_true", help="print a unified diff of every change")
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 2 if anything would change"
    )
    from node_timing.commands.profile import _nodes  # bounded, as profile's --nodes

    p.add_argument("--nodes", type=_nodes, help="node count (default: hosts in k8s_cluster)")
    p.add_argument(
        "--kube-version", help="Kubernetes version (default: the inventory's kube_version)"
    )
    add_project_options(p, allow_exec=False)  # fix edits files: it reads only files


def run(args: argparse.Namespace) -> int:
    import os
    import signal
    import sys
    from pathlib import Path

    from node_timing import formats, profiles, rules
    from node_timing.commands.lint import _relative
    from node_timing.config import base_id, exit_code
    from node_timing.display import display_path, printable, unified_diff
    from node_timing.errors import EXIT_FAILURES, EXIT_FIXED, EXIT_NOTHING, EXIT_OK, UsageError
    from node_timing.fix import WriteReport, run_fix, write_back
    from node_timing.inventory import InventoryError

    path = Path(args.inventory)
    known = set(rules.ids())
    selected = None
    if args.rules is not None:
        selected = [r.strip() for r in args.rules.split(",") if r.strip()]
        unknown = [r for r in selected if base_id(r) not in known]
        if unknown or not selected:
            raise UsageError(f"--rules: unknown rule id(s) {', '.join(unknown) or '(none given)'}")
    if args.profile is not None and args.profile not in profiles.names():
        raise UsageError(
            f"unknown profile {args.profile!r}; choose one of: {', '.join(profiles.names())}"
        )
    if args.nodes is not None and args.nodes < 0:
        raise UsageError(f"--nodes must be >= 0, got {args.nodes}")
    config = project_config(args, path)
    options = project_options(args, config)
    if not path.exists():
        print(f"node-timing: {printable(str(path))}: no such file or directory", file=sys.stderr)
        return EXIT_NOTHING
    try:
        result = run_fix(path, options=options, config=config, rules=selected, profile=args.profile)
    except InventoryError as exc:
        print(f"node-timing: {printable(str(exc))}", file=sys.stderr)
        return EXIT_NOTHING
    announce_release(result.release)
    out = sys.stdout
    if args.diff:
        for change in result.changes:
            shown = printable(display_path(change.path))
            a, b = (shown, shown) if os.path.isabs(shown) else (f"a/{shown}", f"b/{shown}")
            out.write(
                unified_diff(
                    (change.old or b"").decode("utf-8", "surrogateescape"),
                    change.new.decode("utf-8", "surrogateescape"),
                    a if change.old is not None else "/dev/null",
                    b,
                )
            )
    report = WriteReport() if args.check else write_back(result.changes, result.root)
    verb = "would fix" if args.check else "fixed"
    done = result.changes if args.check else report.written
    for change in done:
        what = ", ".join(sorted(change.rules)) or "changes"
        print(
            f"{verb}: {printable(display_path(change.path))} ({what}"
            f"{'; new file' if change.old is None else ''})",
            file=sys.stderr,
        )
    if report.interrupted is not None:
        name = signal.Signals(report.interrupted).name
        written = ", ".join(printable(display_path(c.path)) for c in report.written) or "none"
        print(
            f"node-timing: interrupted by {name}: {len(report.written)} of "
            f"{len(result.changes)} files written ({written}); the others are unchanged",
            file=sys.stderr,
        )
        return 128 + report.interrupted
    for change in report.stale:
        print(
            f"node-timing: {printable(display_path(change.path))} changed on disk while fixing: "
            "not written; run fix again",
            file=sys.stderr,
        )
    for change, why in report.failed:
        print(
            f"node-timing: {printable(display_path(change.path))}: not written: {printable(why)}",
            file=sys.stderr,
        )
    for line in result.skipped:
        print(f"node-timing: {printable(line)}", file=sys.stderr)
    remaining = [_relative(f) for f in result.remaining]
    if remaining:
        text = formats.get_formatter("text")(
            remaining,
            rules.catalogue(),
            color=formats.use_color(out.isatty(), os.environ),
            summary={
                "root": os.getcwd(),
                "verdict": "Would remain:" if args.check else "Remaining:",
            },
        )
        out.write(text)
    failing = exit_code(remaining) == EXIT_FAILURES
    if args.check and result.changes:
        # the findings above are what would remain; say why the exit code is 2 all the same
        count = len(result.changes)
        print(
            f"node-timing: --check: {count} file{'s' if count != 1 else ''} would change; "
            "nothing was written (exit 2)",
            file=sys.stderr,
        )
    if report.stale or report.failed or failing or (args.check and result.changes):
        return EXIT_FAILURES
    if report.written:
        count = len(report.written)
        # exit 8 is documented, but a script under `set -e` stops on it: say what it means
        print(
            f"node-timing: fixed {count} file{'s' if count != 1 else ''}; nothing left fails "
            "(exit 8: fixed)",
            file=sys.stderr,
        )
        return EXIT_FIXED
    return EXIT_OK
