"""What one deployed file says: the record every file reader returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from node_timing.deployed._files import Source
from node_timing.findings import Location
from node_timing.inventory.model import LoadProblem, Value
from node_timing.knowledge import KubeVersion

FileKind = Literal["kubelet-config", "kubelet-env", "kubeadm", "manifest"]


@dataclass(frozen=True)
class Reading:
    """The timing one file sets, in the linter's records.

    ``sources`` are the settings it sets, in file order (a later one wins). ``flags`` holds the
    control-plane flags that the variable rules look at (removed and misplaced flags), as the
    kubespray extra-args dict they would be written in, keyed with their positions, so those
    rules read a manifest as they read an inventory. ``version`` is the Kubernetes version the
    file names (a manifest's image tag, ``kubernetesVersion``), with its position.
    """

    path: str
    kind: FileKind
    sources: tuple[Source, ...] = ()
    flags: Mapping[str, Value] = field(default_factory=dict)
    version: tuple[KubeVersion, Location] | None = None
    problems: tuple[LoadProblem, ...] = ()
    components: frozenset[str] = frozenset()  # kubelet, controller_manager, apiserver
    # Kubelet environment variables the rules read that are no setting (DISABLE_HTTP2), with
    # the position of their value, under the variable's own name.
    environment: Mapping[str, Value] = field(default_factory=dict)


# The kubelet environment variables kept in ``Reading.environment``: any non-empty
# DISABLE_HTTP2 makes the kubelet close all its connections when a heartbeat fails
# (cmd/kubelet/app/server.go buildKubeletClientConfig).
KUBELET_ENVIRONMENT = ("DISABLE_HTTP2",)
