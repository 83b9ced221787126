"""What is deployed: timing settings read from a node's own files.

One module per file kind: ``kubelet`` (systemd unit, environment files, ``--config`` file and
``--config-dir`` drop-ins), ``kubeadm`` (kubeadm configurations), ``manifests`` (static Pods);
``node`` turns files into the hosts the rules check, ``verify`` compares collected nodes with
an inventory. Each reader returns the same records the linter's rules read
(``Source``: setting, value, file, line, column), so a deployed node is checked by the same rules
as an inventory host.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from node_timing.deployed.kubelet import KubeletState, read_kubelet

if TYPE_CHECKING:
    from node_timing.deployed._evaluation import LintContext, Options

__all__ = ["KubeletState", "deployed_lint", "read_kubelet"]


def deployed_lint(paths: Sequence[str], options: Options) -> LintContext | None:
    """The rules' context for ``lint FILE...`` on deployed files; None when ``paths`` is one
    inventory (not deployed files).

    Several paths are always deployed files; one that is not is a usage error (exit 3).
    """
    from node_timing.deployed.node import NotDeployed, classify, lint_files
    from node_timing.errors import UsageError

    first = classify(paths[0]) if len(paths) == 1 else None
    if len(paths) == 1 and first is None:
        return None
    try:
        return lint_files(paths, options, first)
    except NotDeployed as exc:
        from node_timing.display import printable

        raise UsageError(
            f"{printable(str(exc))}: not a kubeadm configuration, kubelet configuration, "
            "kube-controller-manager or kube-apiserver manifest, or kubelet environment file"
        ) from None
