"""``node-timing verify INVENTORY --collected DIR``: does what runs match what the inventory says?"""

from __future__ import annotations

import argparse

from node_timing.commands._project import add_project_options, project_config, project_options

DESCRIPTION = (
    "Compare each host's running timing, read from files collected from the nodes "
    "(DIR/<inventory_hostname>/<absolute path on the node>, as Ansible's fetch module writes "
    "them), with what the inventory intends for that host: every difference is a deployed-drift "
    "finding at the running file's line, and the usual rules run on the running values. Exit "
    "codes: 0 no failing finding, 2 failing findings, 3 usage or configuration error, 5 no "
    "inventory at INVENTORY."
)

# Shown by --help and run from the repository root by the test suite. examples/collected holds
# what Ansible's fetch module brings back from two nodes: node1's files match the inventory,
# node4's kubelet still runs kubespray's defaults.
EXAMPLES = """\
examples (from the repository root):
  node-timing verify examples/inventory/kubespray-current --collected examples/collected
  node-timing verify examples/inventory/kubespray-current --collected examples/collected --format json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from node_timing.commands.lint import FORMATS
    from node_timing.commands.profile import _nodes

    p.add_argument("inventory", metavar="INVENTORY", help="inventory directory or file")
    p.add_argument(
        "--collected",
        required=True,
        metavar="DIR",
        help="files collected from the nodes: DIR/<inventory_hostname>/<path on the node>",
    )
    p.add_argument("-f", "--format", choices=FORMATS, help="output format (default: text)")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 2)")
    p.add_argument("--nodes", type=_nodes, help="node count for load checks")
    p.add_argument("--kube-version", help="Kubernetes version (default: the inventory's)")
    add_project_options(p)


def run(args: argparse.Namespace) -> int:
    import os
    import sys
    from pathlib import Path

    from node_timing import formats, rules
    from node_timing.commands.lint import _nothing_to_lint, _relative
    from node_timing.config import apply_silencing, exit_code
    from node_timing.deployed.verify import verify
    from node_timing.display import printable
    from node_timing.errors import UsageError
    from node_timing.inventory import InventoryError, load_inventory

    if not os.path.isdir(args.collected):
        raise UsageError(f"--collected {printable(args.collected)}: not a directory")
    path = Path(args.inventory)
    config = project_config(args, path)
    options = project_options(args, config)
    name = formats.choose_format(args.format, os.environ)
    try:
        inventory = load_inventory(
            path, allow_exec=options.allow_exec, extra_vars=options.extra_vars
        )
    except InventoryError as exc:
        return _nothing_to_lint(str(exc), name)
    from node_timing.rules.runner import run_rules

    result = verify(inventory, args.collected, options)
    findings = [_relative(f) for f in apply_silencing(run_rules(result.context), config)]
    text = formats.get_formatter(name)(
        findings,
        rules.catalogue(),
        color=formats.use_color(sys.stdout.isatty(), os.environ),
        summary={"hosts": len(result.hosts), "strict": args.strict, "root": os.getcwd()},
    )
    sys.stdout.write(text)
    return exit_code(findings, strict=args.strict)
