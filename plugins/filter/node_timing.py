"""Ansible filters over the node_timing core: thin wrappers that translate errors.

Every check and computation lives in the ``node_timing`` Python package
(``node_timing.ansible_filters``), so the CLI, these filters and the role give identical results
and that code is type-checked with the package. This file only makes it an Ansible filter plugin:
a missing core and the core's errors become AnsibleFilterError, and FilterModule lists the filters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

try:
    from node_timing import ansible_filters as _core_filters
    from node_timing.ansible_filters import check as _check_filter
    from node_timing.ansible_filters import node as _node_filters

    _CORE_IMPORT_ERROR: Exception | None = None
except ImportError as exc:  # pragma: no cover - depends on how the collection was installed
    _CORE_IMPORT_ERROR = exc

# The filters node_timing.ansible_filters provides, in the order FilterModule lists them.
_NAMES = (
    "node_timing_profile",
    "node_timing_figures",
    "node_timing_host_vars",
    "node_timing_check",
    "node_timing_kubespray_vars",
    "node_timing_kubelet_config",
    "node_timing_controller_args",
    "node_timing_apiserver_args",
    "node_timing_render_all",
    "node_timing_patch_manifest",
    "node_timing_patch_kubelet_config",
    "node_timing_kubelet_verify",
    "node_timing_verify_paths",
    "node_timing_verify",
    "go_duration",
    "duration_seconds",
)


def _core(name: str) -> Any:
    """The core module that provides the filter ``name``."""
    if _CORE_IMPORT_ERROR is not None:
        raise AnsibleFilterError(
            "the node-timing Python package is not importable by the Python that runs Ansible "
            f"({_CORE_IMPORT_ERROR}); install it with: pip install node-timing"
        )
    # The check and the verification run the linter; the node filters read a node's files; the
    # others only compute and render settings.
    if name in ("node_timing_check", "node_timing_verify"):
        return _check_filter
    if name in (
        "node_timing_patch_kubelet_config",
        "node_timing_kubelet_verify",
        "node_timing_verify_paths",
    ):
        return _node_filters
    return _core_filters


def _wrapped(name: str) -> Callable[..., Any]:
    """The core filter ``name`` raising AnsibleFilterError for the core's FilterError."""

    def run(*args: Any, **kwargs: Any) -> Any:
        func = getattr(_core(name), name, None)
        if func is None:  # an older node-timing package than this collection
            raise AnsibleFilterError(
                f"{name} is not available in this version of node-timing; upgrade the "
                "node-timing Python package"
            )
        try:
            return func(*args, **kwargs)
        except _core_filters.FilterError as exc:
            raise AnsibleFilterError(str(exc)) from None

    run.__name__ = run.__qualname__ = name
    core_func = getattr(_core(name), name, None) if _CORE_IMPORT_ERROR is None else None
    if core_func is not None:
        functools.update_wrapper(run, core_func)
    return run


node_timing_profile = _wrapped("node_timing_profile")
node_timing_figures = _wrapped("node_timing_figures")
node_timing_host_vars = _wrapped("node_timing_host_vars")
node_timing_check = _wrapped("node_timing_check")
node_timing_kubespray_vars = _wrapped("node_timing_kubespray_vars")
node_timing_kubelet_config = _wrapped("node_timing_kubelet_config")
node_timing_controller_args = _wrapped("node_timing_controller_args")
node_timing_apiserver_args = _wrapped("node_timing_apiserver_args")
node_timing_render_all = _wrapped("node_timing_render_all")
node_timing_patch_manifest = _wrapped("node_timing_patch_manifest")
node_timing_patch_kubelet_config = _wrapped("node_timing_patch_kubelet_config")
node_timing_kubelet_verify = _wrapped("node_timing_kubelet_verify")
node_timing_verify_paths = _wrapped("node_timing_verify_paths")
node_timing_verify = _wrapped("node_timing_verify")
go_duration = _wrapped("go_duration")
duration_seconds = _wrapped("duration_seconds")


class FilterModule:
    """Node-health timing filters for Kubernetes clusters deployed with kubespray or kubeadm."""

    def filters(self) -> dict[str, Any]:
        return {name: globals()[name] for name in _NAMES}
