"""``node-timing render``: write the kubelet, control-plane, kubeadm and kubespray files.

Settings come from a profile (``--profile NAME --nodes N``) or from an inventory
(``--inventory PATH``). ``--out DIR`` writes every file under DIR; ``--patch-manifest FILE ...``
rewrites only the timing flags of existing static Pod manifests, for the Kubernetes version of
the manifest's image unless ``--kube-version`` is given. With ``--check`` nothing is
written and the exit code is 2 when something would change; ``--diff`` prints unified diffs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node_timing.commands._project import (
    add_settings_options,
    announce_release,
    project_config,
    project_options,
)
from node_timing.commands.profile import check_result, compute
from node_timing.errors import EXIT_FAILURES, EXIT_OK, UsageError

if TYPE_CHECKING:
    from node_timing.knowledge import KubeVersion
    from node_timing.settings import Settings

DESCRIPTION = (
    "Render the kubelet configuration and drop-ins, a kube-controller-manager static Pod, a "
    "kubeadm configuration and kubespray group_vars from a profile or an inventory, or patch the "
    "timing flags of existing control-plane manifests in place."
)

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing render --profile fast --nodes 100 --out rendered
  node-timing render --inventory examples/inventory/mycluster --out rendered --check --diff
  node-timing render --profile medium --nodes 100 --patch-manifest examples/manifests/kube-controller-manager.yaml --check --diff
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_settings_options(
        p,
        "settings (one of --profile or --inventory)",
        "number of nodes (with --profile)",
        "; the manifest's image tag, with --patch-manifest",
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
    target.add_argument(
        "--strict",
        action="store_true",
        help="the lint rules run on the result and an error writes nothing (exit 2); "
        "with --strict a warning too",
    )


def _settings(
    args: argparse.Namespace,
) -> tuple[Settings, KubeVersion, dict[str, Any] | None, int | None]:
    """Settings, version, the inventory's extra-args dicts and the node count: from the
    inventory as ``lint`` evaluates it, or from the profile and ``--nodes``."""
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
            # read as lint reads it: .node-timing.yml's version and release, -c, --allow-exec
            options = project_options(args, project_config(args, args.inventory), nodes=None)
            cluster = cluster_settings(args.inventory, options)
        except InventoryError as exc:
            error = UsageError(str(exc))
            error.exit_code = EXIT_NOTHING
            raise error from None
        except (knowledge.KnowledgeError, SettingError, OSError) as exc:
            raise UsageError(str(exc)) from None
        announce_release(cluster.release)
        return cluster.settings, cluster.version, cluster.extra_args, cluster.nodes
    if args.profile is None:
        raise UsageError("give --profile NAME --nodes N, or --inventory PATH")
    if getattr(args, "extra_vars", None):
        raise UsageError("--extra-vars goes with --inventory, not --profile")
    if args.nodes is None:
        raise UsageError("--profile needs --nodes N")
    result = compute(args.profile, args)
    return result.settings, result.kube_version, None, args.nodes


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


def _manifest_version(
    args: argparse.Namespace, path: Path, text: str, settings: Settings, version: KubeVersion
) -> tuple[Settings, KubeVersion]:
    """Settings and version to patch a manifest with: without --kube-version, the version its
    image runs (a flag removed in 1.27 must stay in a 1.26 manifest), and a profile computed for
    that version."""
    from argparse import Namespace

    from node_timing.render.patch import image_version

    if args.kube_version is not None:
        return settings, version
    found = image_version(text)
    if found is None or found.key() == version.key():
        return settings, version
    print(f"{path}: Kubernetes {found}, from the manifest's image", file=sys.stderr)
    if args.profile is None:
        return settings, found
    try:
        return compute(
            args.profile, Namespace(**{**vars(args), "kube_version": str(found)})
        ).settings, found
    except UsageError as exc:
        raise UsageError(f"{path}: {exc}") from None


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
        run_settings, run_version = _manifest_version(args, path, text, settings, version)
        try:
            result = patch_manifest(text, run_settings, run_version)
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
    settings, version, current, nodes = _settings(args)
    label = f"profile {args.profile}" if args.profile is not None else str(args.inventory)
    verdict, findings = check_result(label, settings, version, nodes, args.strict, current)
    if verdict != EXIT_OK:
        # the files would carry what lint fails: write nothing, as a failed check should
        for line in findings:
            print(line, file=sys.stderr)
        print("node-timing: nothing written: the result fails the lint rules", file=sys.stderr)
        return verdict
    changed = False
    if args.out is not None:
        try:
            files = render_all(settings, version, args.kubeadm_api, current)
        except RenderError as exc:
            raise UsageError(str(exc)) from None
        changed |= _render_out(args, files)
    if args.patch_manifest:
        changed |= _patch(args, settings, version)
    for line in findings:
        print(line, file=sys.stderr)
    return EXIT_FAILURES if args.check and changed else EXIT_OK
