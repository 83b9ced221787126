"""The filters the role uses on a node's own files: patch the kubelet's configuration file in
place, recompute what the kubelet runs from its files afterwards, and name the files its
verification reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from node_timing import settings
from node_timing.ansible_filters.convert import FilterError, call, to_plain, to_settings


def node_timing_patch_kubelet_config(text: Any, value: Any) -> str:
    def run() -> str:
        from node_timing.render import kubelet

        if not isinstance(to_plain(text, "text"), str):
            raise FilterError(
                "node_timing_patch_kubelet_config expects the KubeletConfiguration text (e.g. "
                f"the slurped content | b64decode), got {type(text).__name__}"
            )
        s, _version, _result = to_settings(value, "node_timing_patch_kubelet_config")
        return str(kubelet.patch_kubelet_config(str(text), s))

    result: str = call("node_timing_patch_kubelet_config", run)
    return result


def node_timing_kubelet_verify(files: Any, value: Any, kube_version: Any = None) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        from node_timing.deployed import kubelet as reader
        from node_timing.deployed.held import HeldFiles

        # an undefined input says "is undefined" (as the other filters do), not "expects ..."
        texts = to_plain(files, "files")
        if not isinstance(texts, Mapping):
            raise FilterError(
                "node_timing_kubelet_verify expects {node path: text} of the kubelet's files, got "
                f"{type(files).__name__}"
            )
        s, version, _result = to_settings(value, "node_timing_kubelet_verify", kube_version)
        # The files were read on the node: the reader answers from them in memory, as the
        # role's verify does (nothing is written on the controller).
        held = HeldFiles(
            "/", texts={str(p): t for p, t in texts.items() if str(p) and isinstance(t, str)}
        )
        state = reader.read_kubelet_files(held, version)

        running = dict(state.settings)
        if running.get(reader.REPORT, 0) is None:  # inherits the update frequency
            running[reader.REPORT] = running.get(reader.UPDATE)
        report = s.kubelet.node_status_report_frequency
        wanted = {
            reader.UPDATE: s.kubelet.node_status_update_frequency,
            reader.REPORT: s.kubelet.node_status_update_frequency if report is None else report,
            reader.LEASE: s.kubelet.node_lease_duration_seconds,
            **{path: s.get(path) for path in reader.environment_variables().values()},
        }
        effective = state.effective
        mismatches = [
            {
                "setting": path,
                "want": settings.to_output(path, want),
                "got": settings.to_output(path, running.get(path)),
                "from": f"{effective[path].name} at {effective[path].location!s}",
            }
            for path, want in wanted.items()
            if running.get(path) != want
        ]
        return {
            "layout": state.layout,
            "config": str(state.config) if state.config else None,
            "config_dir": str(state.config_dir) if state.config_dir else None,
            "mismatches": mismatches,
            "problems": [f"{p.path!s}: {p.message}" for p in state.problems],
        }

    result: dict[str, Any] = call("node_timing_kubelet_verify", run)
    return result


def node_timing_verify_paths(files: Any) -> dict[str, list[str]]:
    def run() -> dict[str, list[str]]:
        from node_timing.deployed.held import node_paths, unread_paths

        texts = to_plain(files, "files")
        if not isinstance(texts, Mapping):
            raise FilterError(
                "node_timing_verify_paths expects {node path: text} of the files read so far "
                f"({{}} before the first read), got {type(files).__name__}"
            )
        held = {str(p): t for p, t in texts.items() if isinstance(t, str)}
        return node_paths() if not held else unread_paths(held)

    result: dict[str, list[str]] = call("node_timing_verify_paths", run)
    return result
