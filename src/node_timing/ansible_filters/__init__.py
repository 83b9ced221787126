"""The Ansible filters' logic: check what a play hands over, compute with the core, return plain data.

The collection's filter plugin (plugins/filter/node_timing.py) wraps each public function here and
turns :class:`FilterError` into Ansible's error; everything else lives here, so the CLI, the
filters and the role give identical results and this code is type-checked with the package.
Inputs are converted to plain Python first (ansible-core 2.19 passes lazy dict/list subclasses and
tagged strings) and outputs are plain dict/list/str/int/float/bool/None."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, cast

from jinja2 import Undefined

from node_timing import durations, figures, kubespray, profiles
from node_timing.ansible_filters.convert import (
    HOST_VAR_MARKERS,
    ORIGINS,
    RESULT_FACTS,
    STYLES,
    FilterError,
    call,
    flat_overrides,
    kube_version_text,
    node_count,
    origin_of,
    to_plain,
    to_settings,
)
from node_timing.render.args import Style

# --- filters -------------------------------------------------------------------------------------


def node_timing_profile(
    name: Any,
    nodes: Any = None,
    kube_version: Any = None,
    overrides: Any = None,
    heartbeat_budget: Any = None,
    lease_bytes: Any = None,
    node_status_bytes: Any = None,
    current: Any = None,
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        if not isinstance(name, str):
            raise FilterError(
                f"node_timing_profile: the profile name must be a string (one of "
                f"{', '.join(profiles.names())}), got {name!r}"
            )
        budget = to_plain(heartbeat_budget, "heartbeat_budget")
        if isinstance(budget, str) and budget.strip():
            with contextlib.suppress(ValueError):  # profiles.compute names the bad value
                budget = float(budget)
        if budget == "":
            budget = None
        result = profiles.compute(
            str(name),
            node_count(nodes, "node_timing_profile"),
            kube_version=kube_version_text(kube_version),
            overrides=flat_overrides(overrides),
            heartbeat_budget=budget,
        )
        current_vars = to_plain(current, "current") if current is not None else None
        if current_vars is not None and not isinstance(current_vars, dict):
            raise FilterError(
                "node_timing_profile: current must be a mapping of kubespray variables"
            )
        report = profiles.report(
            result,
            to_plain(lease_bytes, "lease_bytes"),
            to_plain(node_status_bytes, "node_status_bytes"),
            current_vars,
        )
        return dict(to_plain(report, "result"))

    result: dict[str, Any] = call("node_timing_profile", run)
    return result


def node_timing_figures(
    value: Any,
    nodes: Any = None,
    kube_version: Any = None,
    lease_bytes: Any = None,
    node_status_bytes: Any = None,
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        s, version, result = to_settings(value, "node_timing_figures", kube_version)
        count = nodes if nodes is not None or result is None else result.get("nodes")
        figs = figures.compute(
            s,
            node_count(count, "node_timing_figures"),
            to_plain(lease_bytes, "lease_bytes"),
            to_plain(node_status_bytes, "node_status_bytes"),
            version,
        )
        return dict(to_plain(figs.to_dict(), "figures"))

    result: dict[str, Any] = call("node_timing_figures", run)
    return result


def node_timing_host_vars(value: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise FilterError(
                "node_timing_host_vars expects one host's variables, "
                "e.g. hostvars[inventory_hostname], "
                f"got {type(value).__name__}"
            )
        selected: dict[str, Any] = {}
        origins: dict[str, list[Any]] = {}
        raw_vars = getattr(value, "_vars", None)
        for key in list(value.keys()):
            name = str(key)
            if name.startswith("_") or name in RESULT_FACTS:
                continue
            if name == ORIGINS:  # already selected once: keep what was recorded
                recorded = value[key]
                if isinstance(recorded, Mapping):
                    origins.update({str(k): list(v) for k, v in recorded.items()})
                continue
            if not any(marker in name for marker in HOST_VAR_MARKERS):
                continue
            try:
                item = value[key]
            except Exception:
                item = Undefined()
            raw = raw_vars.get(key) if isinstance(raw_vars, Mapping) else None
            where = origin_of(raw) if raw is not None else None
            where = where or origin_of(item)
            if where:
                origins[name] = where
            try:
                selected[name] = to_plain(item, name)
            except FilterError:
                # As ansible-core before 2.19 does, hand over the template text itself, so that the
                # checks can report the value as unresolved instead of silently missing it.
                raw = getattr(value, "_vars", {}).get(key)
                if isinstance(raw, str):
                    selected[name] = str(raw)
        if origins:
            selected[ORIGINS] = {k: origins[k] for k in sorted(origins) if k in selected}
        return dict(sorted(selected.items()))

    result: dict[str, Any] = call("node_timing_host_vars", run)
    return result


def _current_extra_args(current: Any, where: str) -> dict[str, Any] | None:
    if current is None:
        return None
    if not isinstance(current, Mapping):
        raise FilterError(
            f"node_timing_kubespray_vars: {where} must be a mapping holding the inventory's "
            "extra-args dicts (kubelet_config_extra_args, kube_kubeadm_controller_extra_args, "
            f"kube_kubeadm_apiserver_extra_args), got {type(current).__name__}"
        )
    # Only the wanted keys are read: reading any other variable of a host's hostvars would
    # template it.
    return {
        name: to_plain(current[name], name) for name in kubespray.extra_args() if name in current
    }


def node_timing_kubespray_vars(
    value: Any,
    current: Any = None,
    kube_version: Any = None,
    hosts: Any = None,
    shared: Any = False,
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        s, version, _result = to_settings(value, "node_timing_kubespray_vars", kube_version)
        if hosts is None:
            current_vars = _current_extra_args(current, "current")
            return dict(to_plain(kubespray.to_vars(s, current_vars, version), "kubespray"))
        if not isinstance(hosts, Mapping):
            raise FilterError(
                "node_timing_kubespray_vars: hosts must map host names to their variables, got "
                f"{type(hosts).__name__}"
            )
        # Hosts with the same extra-args dicts get the same variables: compute each set once.
        by_dicts: dict[str, dict[str, Any]] = {}
        host_keys: dict[str, str] = {}
        for host, host_vars in hosts.items():
            current_vars = _current_extra_args(host_vars, f"hosts[{host}]")
            key = repr(sorted((current_vars or {}).items()))
            if key not in by_dicts:
                by_dicts[key] = dict(
                    to_plain(kubespray.to_vars(s, current_vars, version), "kubespray")
                )
            host_keys[str(host)] = key
        if not shared:
            return {host: by_dicts[key] for host, key in host_keys.items()}
        # The set most hosts share, and only the hosts that differ from it: a play sets the first
        # on every host with one run_once task and the others one host each.
        counts: dict[str, int] = {}
        for key in host_keys.values():
            counts[key] = counts.get(key, 0) + 1
        common = max(counts, key=lambda k: counts[k]) if counts else None
        from node_timing.ansible_filters.replaced import replaced_lines

        return {
            "shared": by_dicts[common] if common is not None else {},
            "hosts": {host: by_dicts[key] for host, key in host_keys.items() if key != common},
            "replaced": replaced_lines(
                hosts, {host: by_dicts[key] for host, key in host_keys.items()}
            ),
        }

    result: dict[str, Any] = call("node_timing_kubespray_vars", run)
    return result


def node_timing_kubelet_config(value: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        from node_timing import render

        s, _version, _result = to_settings(value, "node_timing_kubelet_config")
        return dict(to_plain(render.kubelet_config(s), "kubelet_config"))

    result: dict[str, Any] = call("node_timing_kubelet_config", run)
    return result


def _style(style: Any, filter_name: str) -> Style:
    text = to_plain(style, "style")
    if text not in STYLES:
        raise FilterError(f"{filter_name}: style must be one of {', '.join(STYLES)}, got {text!r}")
    return cast("Style", str(text))


def node_timing_controller_args(value: Any, style: Any = "flags", kube_version: Any = None) -> Any:
    def run() -> Any:
        from node_timing import render

        shape = _style(style, "node_timing_controller_args")
        s, version, _result = to_settings(value, "node_timing_controller_args", kube_version)
        return to_plain(render.controller_args(s, version, shape), "controller_args")

    return call("node_timing_controller_args", run)


def node_timing_apiserver_args(value: Any, style: Any = "flags") -> Any:
    def run() -> Any:
        from node_timing import render

        shape = _style(style, "node_timing_apiserver_args")
        s, _version, _result = to_settings(value, "node_timing_apiserver_args")
        return to_plain(render.apiserver_args(s, shape), "apiserver_args")

    return call("node_timing_apiserver_args", run)


def node_timing_render_all(
    value: Any, kube_version: Any = None, kubeadm_api: Any = None, current: Any = None
) -> dict[str, str]:
    def run() -> dict[str, str]:
        from node_timing import render

        s, version, _result = to_settings(value, "node_timing_render_all", kube_version)
        api = to_plain(kubeadm_api, "kubeadm_api") or None
        current_vars = None if current is None else to_plain(current, "current")
        if current_vars is not None and not isinstance(current_vars, dict):
            raise FilterError(
                "node_timing_render_all: current must be a mapping of kubespray variables"
            )
        files = render.render_all(s, version, kubeadm_api=api, current_kubespray=current_vars)
        return {str(path): str(text) for path, text in files.items()}

    result: dict[str, str] = call("node_timing_render_all", run)
    return result


def node_timing_patch_manifest(text: Any, value: Any, kube_version: Any = None) -> str:
    def run() -> str:
        from node_timing.render import patch

        if not isinstance(text, str):
            raise FilterError(
                "node_timing_patch_manifest expects the manifest text (e.g. the slurped content "
                f"| b64decode), got {type(text).__name__}"
            )
        s, version, _result = to_settings(value, "node_timing_patch_manifest", kube_version)
        if hasattr(patch, "patch_manifest_text"):
            return str(patch.patch_manifest_text(str(text), s, version))
        return str(patch.patch_manifest(str(text), s, version).text)

    result: str = call("node_timing_patch_manifest", run)
    return result


def go_duration(value: Any) -> str:
    def run() -> str:
        plain = to_plain(value, "value")
        if isinstance(plain, bool) or plain is None:
            raise FilterError(
                f"go_duration expects a Go duration string or a number of seconds, got {plain!r}"
            )
        if isinstance(plain, int | float):
            return str(durations.format(durations.from_seconds(plain)))
        if isinstance(plain, str):
            text = plain.strip()
            try:
                return str(
                    durations.format(
                        durations.from_seconds(float(text))
                        if _is_number(text)
                        else durations.parse(text)
                    )
                )
            except durations.DurationError as exc:
                raise FilterError(
                    f"go_duration: {exc} (write it like 40s, 1m30s or 500ms; Go has no d unit)"
                ) from None
        raise FilterError(f"go_duration expects a string or a number, got {type(plain).__name__}")

    result: str = call("go_duration", run)
    return result


def _is_number(text: str) -> bool:
    if not text.isascii():  # float() also reads fullwidth and Arabic-Indic digits
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def duration_seconds(value: Any) -> int | float:
    def run() -> int | float:
        plain = to_plain(value, "value")
        if isinstance(plain, bool) or plain is None:
            raise FilterError(f"duration_seconds expects a Go duration string, got {plain!r}")
        if isinstance(plain, int | float):
            ns = durations.from_seconds(plain)
        elif isinstance(plain, str):
            try:
                ns = durations.parse(plain.strip())
            except durations.DurationError as exc:
                raise FilterError(
                    f"duration_seconds: {exc} (write it like 40s, 1m30s or 500ms; Go has no d unit)"
                ) from None
        else:
            raise FilterError(f"duration_seconds expects a string, got {type(plain).__name__}")
        if ns % durations.SECOND == 0:
            return ns // durations.SECOND
        return durations.to_seconds(ns)

    result: int | float = call("duration_seconds", run)
    return result
