"""The filters the role uses on a node's own files: patch the kubelet's configuration file in
place, recompute what the kubelet runs from its files afterwards, and name the files its
verification reads."""

from __future__ import annotations

import os
import tempfile
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

        # an undefined input says "is undefined" (as the other filters do), not "expects ..."
        texts = to_plain(files, "files")
        if not isinstance(texts, Mapping):
            raise FilterError(
                "node_timing_kubelet_verify expects {node path: text} of the kubelet's files, got "
                f"{type(files).__name__}"
            )
        s, version, _result = to_settings(value, "node_timing_kubelet_verify", kube_version)
        # The reader reads a node root; the files were fetched from the node, so they are laid
        # out again under a private directory (0700) that is removed at once.
        with tempfile.TemporaryDirectory(prefix="node-timing-verify-") as root:
            for path, text in texts.items():
                rel = os.path.normpath("/" + str(path)).lstrip("/")
                if not rel or not isinstance(text, str):
                    continue
                target = os.path.join(root, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8") as fh:
                    fh.write(text)
            state = reader.read_kubelet(root, version)

        def shown(where: Any) -> str:
            return str(where).replace(root, "", 1) or "/"

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
                "from": f"{effective[path].name} at {shown(effective[path].location)}",
            }
            for path, want in wanted.items()
            if running.get(path) != want
        ]
        return {
            "layout": state.layout,
            "config": shown(state.config) if state.config else None,
            "config_dir": shown(state.config_dir) if state.config_dir else None,
            "mismatches": mismatches,
            "problems": [f"{shown(p.path)}: {p.message}" for p in state.problems],
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
