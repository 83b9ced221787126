"""``node-timing render``: write the kubelet, control-plane, kubeadm and kubespray files.

Settings come from a profile (``--profile NAME --nodes N``) or from an inventory
(``--inventory PATH``). ``--out DIR`` writes every file under DIR; ``--patch-manifest FILE ...``
rewrites only the timing flags of existing static Pod manifests. With ``--check`` nothing is
written and the exit code is 2 when something would change; ``--diff`` prints unified diffs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node_timing.commands.profile import _nodes, _positive_float, compute
from node_timing.errors import EXIT_FAILURES, EXIT_OK, UsageError

if TYPE_CHECKING:
    from node_timing.knowledge import KubeVersion
    from node_timing.settings import Settings

DESCRIPTION = (
    "Render the kubelet configuration and drop-ins, a kube-controller-manager static Pod, a "
    "kubeadm configuration and kubespray group_vars from a profile or an inventory, or patch the "
    "timing flags of existing control-plane manifests in place."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    source = p.add_argument_group("settings (one of --profile or --inventory)")
    source.add_argument(
        "--profile", metavar="NAME", help="upstream, kubespray-default, fast, medium, low"
    )
    source.add_argument(
        "--nodes", type=_nodes, help="number of nodes in the cluster (with --profile)"
    )
    source.add_argument(
        "--inventory", metavar="PATH", help="a kubespray inventory to take the settings from"
    )
    source.add_argument(
        "--allow-exec",
        action="store_true",
        help="with --inventory: read sources that run code (scripts, plugin configs) through "
        "ansible-core",
    )
    source.add_argument("--kube-version", help="Kubernetes version: 1.35, 1.35.4 or v1.35.4")
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
    target = p.add_argument_group("output (--out, --patch-manifest or both)")
    target.add_argument("--out", metavar="DIR", help="directory to write the rendered files under")
    target.add_argument(
        "--patch-manifest",
        nargs="+",
        metavar="FILE",
        default=[],
        help="kube-controller-manager or kube-apiserver manifests whose timing flags to rewrite",
    )
    target.add_argument(
        "--kubeadm-api",
        choices=("v1beta3", "v1beta4"),
        help="kubeadm configuration API (default: v1beta4 from Kubernetes 1.31, v1beta3 before)",
    )
    target.add_argument(
        "--check", action="store_true", help="write nothing; exit 2 if anything would change"
    )
    target.add_argument("--diff", action="store_true", help="print a unified diff of every change")


def _settings(args: argparse.Namespace) -> tuple[Settings, KubeVersion, dict[str, Any] | None]:
    from node_timing import knowledge
    from node_timing.settings import SettingError

    if args.inventory is not None:
        if args.profile is not None:
            raise UsageError("give either --profile or --inventory, not both")
        if args.overrides or args.heartbeat_budget is not None or args.nodes is not None:
            raise UsageError(
                "--nodes, --set and --heartbeat-budget go with --profile, not --inventory"
            )
        from node_timing.errors import EXIT_NOTHING
        from node_timing.evaluate.cluster import cluster_settings
        from node_timing.inventory import InventoryError

        try:
            settings, version, current = cluster_settings(
                args.inventory, kube_version=args.kube_version, allow_exec=args.allow_exec
            )
        except InventoryError as exc:
            error = UsageError(str(exc))
            error.exit_code = EXIT_NOTHING
            raise error from None
        except (knowledge.KnowledgeError, SettingError, OSError) as exc:
            raise UsageError(str(exc)) from None
        return settings, version, current
    if args.profile is None:
        raise UsageError("give --profile NAME --nodes N, or --inventory PATH")
    if args.nodes is None:
        raise UsageError("--profile needs --nodes N")
    result = compute(args.profile, args)
    return result.settings, result.kube_version, None


def _diff(old: str, new: str, name: str) -> str:
    from node_timing.display import printable, unified_diff

    shown = printable(name)
    return unified_diff(old, new, f"a/{shown}", f"b/{shown}")


def _read(path: Path) -> str | None:
    from node_timing.render.write import UnsafePathError, read_regular

    try:
        data = read_regular(path)
    except UnsafePathError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data is None:
        return None
    return _decode(path, data)


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _render_out(args: argparse.Namespace, files: dict[str, str]) -> bool:
    """Write (or with --check compare) the files under --out; True when something changed."""
    from node_timing.render import write

    if not args.out:
        # Path("") is the working directory: an empty --out (an unset shell variable) would
        # scatter the files there
        raise UsageError("--out must name a directory, got an empty string")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    changed = False
    try:
        targets = {rel: write.safe_target(out, rel) for rel in files}
    except write.UnsafePathError as exc:
        raise UsageError(str(exc)) from None
    for rel, text in files.items():
        old = _read(targets[rel]) if out.exists() else None
        if old == text:
            continue
        changed = True
        if args.diff:
            sys.stdout.write(_diff(old or "", text, rel))
        elif args.check:
            print(f"would write {targets[rel]}")
    if not args.check:
        try:
            results = write.write_tree(out, files)
        except write.UnsafePathError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(
                f"{exc.filename or out}: cannot write: {exc.strerror or exc}"
            ) from None
        for rel, was_changed in results:
            print(f"{'wrote' if was_changed else 'unchanged'} {out / rel}")
    from node_timing.render import OUTPUTS

    for rel in OUTPUTS:
        if rel not in files and (out / rel).is_file():
            # not deleted: it may have been edited since; the user decides
            print(
                f"{out / rel}: left as it was, but these settings do not need it", file=sys.stderr
            )
    return changed


def _patch(args: argparse.Namespace, settings: Settings, version: KubeVersion) -> bool:
    from node_timing.render import RenderError, patch_manifest, write
    from node_timing.render.patch import read_manifest

    changed = False
    for name in args.patch_manifest:
        path = Path(name)
        try:
            data = read_manifest(name)
        except RenderError as exc:
            raise UsageError(f"{path}: {exc}") from None
        if data is None:
            raise UsageError(f"{path}: no such file")
        text = _decode(path, data)
        try:
            result = patch_manifest(text, settings, version)
        except RenderError as exc:
            raise UsageError(f"{path}: {exc}") from None
        if not result.changed:
            print(f"{path}: timing flags already set ({result.component})")
            continue
        changed = True
        if args.diff:
            sys.stdout.write(_diff(text, result.text, str(path)))
        if args.check:
            print(f"{path}: would change: {'; '.join(result.changes)}")
            continue
        try:
            # write the file a symlink points to, not over the symlink
            write.atomic_write(path.resolve(), result.text.encode("utf-8"))
        except write.UnsafePathError as exc:
            raise UsageError(f"{path}: not written: {exc}") from None
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        print(f"{path}: {'; '.join(result.changes)}")
    return changed


def run(args: argparse.Namespace) -> int:
    from node_timing.render import RenderError, render_all

    if args.out is None and not args.patch_manifest:
        raise UsageError("give --out DIR, --patch-manifest FILE ..., or both")
    settings, version, current = _settings(args)
    changed = False
    if args.out is not None:
        try:
            files = render_all(settings, version, args.kubeadm_api, current)
        except RenderError as exc:
            raise UsageError(str(exc)) from None
        changed |= _render_out(args, files)
    if args.patch_manifest:
        changed |= _patch(args, settings, version)
    return EXIT_FAILURES if args.check and changed else EXIT_OK
