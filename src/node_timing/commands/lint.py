"""``node-timing lint INVENTORY``: check an inventory's timing settings, ansible-lint style."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from node_timing.commands._project import (
    add_project_options,
    announce_release,
    project_config,
    project_options,
)

if TYPE_CHECKING:
    from node_timing.findings import Finding

DESCRIPTION = (
    "Check a kubespray-style inventory (group_vars, host_vars, per-host precedence) against the "
    "documented constraints of kubelet, kube-controller-manager and kube-apiserver timing. "
    "Exit codes: 0 no failing finding, 2 failing findings, 3 usage or configuration error, "
    "5 no inventory at PATH, 1 internal error (a bug: please report it)."
)

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing lint examples/inventory/mycluster
  node-timing lint
  node-timing lint examples/inventory/mycluster --strict --format sarif
  node-timing lint examples/inventory/upstream-explicit/hosts.yaml --kube-version 1.33
  node-timing lint examples/collected/node1/etc/kubernetes/manifests/kube-controller-manager.yaml examples/collected/node1/etc/kubernetes/kubelet-config.yaml
"""

FORMATS = ("text", "pep8", "json", "codeclimate", "sarif", "github")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from node_timing.commands.profile import _nodes  # bounded, as profile's --nodes

    p.add_argument(
        "inventory",
        metavar="INVENTORY|FILE",
        nargs="*",
        help="inventory directory or file; or deployed files (kubeadm and kubelet configurations, "
        "static Pod manifests, kubelet environment files) checked together as one node or cluster; "
        "none: every inventory under the working directory (a directory holding group_vars/ or "
        "host_vars/ and hosts; hidden directories, credentials/ and artifacts/ are not entered)",
    )
    p.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format (default: text; github on GitHub Actions)",
    )
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 2)")
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no progress line on a terminal's stderr"
    )
    p.add_argument(
        "--nodes", type=_nodes, help="node count for load checks (default: hosts in k8s_cluster)"
    )
    p.add_argument(
        "--kube-version", help="Kubernetes version (default: the inventory's kube_version)"
    )
    p.add_argument(
        "--heartbeat-budget", type=float, help="lease writes per second allowed (default 500)"
    )
    add_project_options(p)


def run(args: argparse.Namespace) -> int:
    import os

    from node_timing import formats
    from node_timing.commands.profile import refuse_profile_name
    from node_timing.config import exit_code
    from node_timing.errors import UsageError

    if args.nodes is not None and args.nodes < 0:
        raise UsageError(f"--nodes must be >= 0, got {args.nodes}")
    if args.heartbeat_budget is not None and not args.heartbeat_budget > 0:
        raise UsageError(f"--heartbeat-budget must be > 0, got {args.heartbeat_budget}")
    if not args.inventory:
        return _lint_discovered(args)
    refuse_profile_name(args.inventory[0])
    name = formats.choose_format(args.format, os.environ)
    several = _several_inventories(args.inventory)
    if several is None:
        outcome = _lint(args, args.inventory, name)
        if isinstance(outcome, int):
            return outcome
        findings, hosts = outcome
        worst = exit_code(findings, strict=args.strict)
    else:
        findings, hosts, worst = [], 0, 0
        for path in several:
            shown = _shown(path)
            got = _lint(args, [path], name, label=shown)
            if isinstance(got, int):
                worst = max(worst, got)
                continue
            findings += [dataclasses.replace(f, inventory=shown) for f in got[0]]
            hosts += got[1]
            worst = max(worst, exit_code(got[0], strict=args.strict))
    _report(args, name, findings, hosts)
    return worst


def _report(args: argparse.Namespace, name: str, findings: list[Finding], hosts: int) -> None:
    """Print one report of ``findings`` in format ``name`` (one inventory or several)."""
    import os
    import sys

    from node_timing import formats, rules

    color = formats.use_color(sys.stdout.isatty(), os.environ)
    text = formats.get_formatter(name)(
        findings,
        rules.catalogue(),
        color=color,
        summary={"hosts": hosts, "strict": args.strict, "root": os.getcwd()},
    )
    sys.stdout.write(text)


def _several_inventories(paths: list[str]) -> list[str] | None:
    """The inventories to lint one by one: several paths none of which is a deployed file, or
    one directory holding several inventories (``inventory/`` with ``prod/`` and ``staging/``,
    said on stderr). None for one inventory or deployed files."""
    import sys

    from node_timing.deployed.node import looks_deployed
    from node_timing.inventory.loader import inventories_in

    if len(paths) > 1:
        return None if any(looks_deployed(p) for p in paths) else list(paths)
    found = inventories_in(paths[0])
    if len(found) < 2:
        return None
    names = ", ".join(_shown(f) for f in found)
    print(
        f"node-timing: {_shown(paths[0])} holds {len(found)} inventories ({names}): linting each",
        file=sys.stderr,
    )
    return found


def _shown(path: str) -> str:
    import os

    from node_timing.display import display_path, printable

    return printable(display_path(os.path.abspath(path)))


def _lint(
    args: argparse.Namespace, paths: list[str], name: str, label: str = ""
) -> tuple[list[Finding], int] | int:
    """The findings (silenced as its configuration says) and host count of one inventory, or of
    deployed files; an exit code when there is nothing to lint."""
    import sys

    from node_timing.config import apply_silencing
    from node_timing.deployed import deployed_lint
    from node_timing.evaluate.context import build_context
    from node_timing.inventory import InventoryError, load_inventory
    from node_timing.progress import Progress
    from node_timing.rules.runner import run_rules

    path = Path(paths[0])
    config = project_config(args, path)
    options = project_options(args, config, heartbeat_budget=args.heartbeat_budget)
    inventory = None
    with Progress("lint", quiet=args.quiet) as progress:
        progress.phase(f"reading {label}".strip())
        deployed = None if label else deployed_lint(paths, options)
        if deployed is not None:
            ctx = deployed
            if getattr(ctx, "assumed_kubelets", False):
                print(
                    "node-timing: no kubelet configuration among these files: the kubelets are "
                    f"judged at Kubernetes {ctx.version.minor_text}'s defaults",
                    file=sys.stderr,
                )
            progress.phase("running the rules")
            raw = run_rules(ctx)
            hosts = len({h for g in ctx.groups for h in g.hosts})
        else:
            try:
                inventory = load_inventory(
                    path, allow_exec=options.allow_exec, extra_vars=options.extra_vars
                )
            except InventoryError as exc:
                progress.close()
                if label:  # one of several: the others are still linted
                    from node_timing.display import printable
                    from node_timing.errors import EXIT_NOTHING

                    print(f"node-timing: {printable(str(exc))}", file=sys.stderr)
                    return EXIT_NOTHING
                return _nothing_to_lint(str(exc), name)
            progress.phase(f"evaluating {len(inventory.hosts):,} hosts")
            ctx = build_context(inventory, options)
            progress.phase("running the rules")
            raw = run_rules(ctx)
            hosts = len(inventory.hosts)
    if deployed is not None:
        from node_timing.display import printable

        # Say what each file was taken for: its name and whole structure decided it.
        for file, kind in getattr(deployed, "read_as", []):
            print(f"node-timing: read {printable(file)} as {kind}", file=sys.stderr)
    if inventory is not None:
        announce_release(ctx.release)
    if inventory is not None and inventory.layout is not None:
        where = f"{label}: " if label else f"{_shown(str(path))}: "
        print(f"node-timing: {where}{inventory.layout}", file=sys.stderr)
    elif inventory is not None and path.is_dir():
        # Say which files stood for the inventory: a directory is read the way kubespray's
        # ansible.cfg reads it, which is not every file in it.
        where = f"{label}: " if label else ""
        print(f"node-timing: {where}read {_sources(path, inventory.sources)}", file=sys.stderr)
    return [_relative(f) for f in apply_silencing(raw, config)], hosts


def _lint_discovered(args: argparse.Namespace) -> int:
    """``node-timing lint`` with no argument: every inventory under the working directory, each
    with its own .node-timing.yml, as ``node-timing lint DIR`` lints it, in one report."""
    import os
    import sys

    from node_timing import formats
    from node_timing.config import apply_silencing, exit_code
    from node_timing.evaluate.context import build_context
    from node_timing.inventory import InventoryError, load_inventory
    from node_timing.inventory.discover import candidates
    from node_timing.rules.runner import run_rules

    name = formats.choose_format(args.format, os.environ)
    findings: list[Finding] = []
    hosts = linted = 0
    for found in candidates("."):
        path = Path(found)
        config = project_config(args, path)
        options = project_options(args, config, heartbeat_budget=args.heartbeat_budget)
        try:
            inventory = load_inventory(
                path, allow_exec=options.allow_exec, extra_vars=options.extra_vars
            )
        except InventoryError:
            continue  # a group_vars/ beside a playbook: no inventory, left alone
        print(f"node-timing: {path}: read {_sources(path, inventory.sources)}", file=sys.stderr)
        ctx = build_context(inventory, options)
        announce_release(ctx.release)
        raw = run_rules(ctx)
        findings.extend(_relative(f) for f in apply_silencing(raw, config))
        hosts += len(inventory.hosts)
        linted += 1
    if not linted:
        return _nothing_to_lint(
            "no inventory under the working directory (a directory holding group_vars/ or "
            "host_vars/ and hosts); name one: node-timing lint INVENTORY",
            name,
        )
    _report(args, name, findings, hosts)
    return exit_code(findings, strict=args.strict)


def _sources(path: Path, sources: list[str]) -> str:
    import os

    from node_timing.display import printable

    return printable(", ".join(os.path.relpath(s, os.path.abspath(path)) for s in sources))


def _nothing_to_lint(reason: str, name: str) -> int:
    """Exit 5: the reason on stderr and, for a document format, an empty report on stdout."""
    import os
    import sys

    from node_timing import formats, rules
    from node_timing.display import printable
    from node_timing.errors import EXIT_NOTHING

    print(f"node-timing: {printable(reason)}", file=sys.stderr)
    if name in formats.DOCUMENT_FORMATS:
        sys.stdout.write(
            formats.get_formatter(name)([], rules.catalogue(), summary={"root": os.getcwd()})
        )
    return EXIT_NOTHING


def _relative(finding: Finding) -> Finding:
    import dataclasses

    from node_timing.display import display_path

    shown = display_path(finding.path)
    return finding if shown == finding.path else dataclasses.replace(finding, path=shown)
