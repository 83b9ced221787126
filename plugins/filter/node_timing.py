"""Ansible filters over the node_timing core: thin adapters that check input and translate errors.

Every computation happens in the ``node_timing`` Python package, so the CLI, these filters and the
role give identical results. Inputs are converted to plain Python first (ansible-core 2.19 passes
lazy dict/list subclasses and tagged strings) and outputs are plain dict/list/str/int/float/bool/
None.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError
from jinja2 import Undefined

try:
    from node_timing import durations, figures, knowledge, kubespray, profiles, settings

    _CORE_IMPORT_ERROR: Exception | None = None
except ImportError as exc:  # pragma: no cover - depends on how the collection was installed
    _CORE_IMPORT_ERROR = exc

_FQCN = "kubetiming.node_timing"
_STYLES = ("flags", "v1beta3", "v1beta4")
# Variable names that can carry node-health timing (kubespray's all start with kube); the rest of a
# host's variables are never read, so their templates are never evaluated.
_HOST_VAR_MARKERS = ("kube", "node_timing")
# The role's own result, which is not an input to the checks.
_RESULT_FACTS = frozenset({"node_timing"})
# Key under which node_timing_host_vars returns where each variable was read: (path, line, column).
_ORIGINS = "node_timing_origins"


def _origin(item: Any) -> list[Any] | None:
    """Where Ansible read a value: ``ansible_pos`` up to 2.18, the Origin tag from 2.19."""
    pos = getattr(item, "ansible_pos", None)
    if isinstance(pos, tuple) and len(pos) == 3 and pos[0]:
        return [str(pos[0]), int(pos[1] or 0), int(pos[2] or 0)]
    try:
        from ansible._internal._datatag._tags import Origin  # ansible-core 2.19+
    except ImportError:
        return None
    try:
        tag = Origin.get_tag(item)
    except Exception:
        return None
    if tag is None or not tag.path:
        return None
    return [str(tag.path), int(tag.line_num or 0), int(tag.col_num or 0)]


def _core() -> None:
    if _CORE_IMPORT_ERROR is not None:
        raise AnsibleFilterError(
            "the node-timing Python package is not importable by the Python that runs Ansible "
            f"({_CORE_IMPORT_ERROR}); install it with: pip install node-timing"
        )


def _core_errors() -> tuple[type[Exception], ...]:
    return (
        profiles.ProfileError,
        knowledge.KnowledgeError,
        settings.SettingError,
        durations.DurationError,
    )


def _optional(module: str, what: str) -> Any:
    """A core module that newer versions of node-timing provide, or a clear error."""
    try:
        return importlib.import_module(f"node_timing.{module}")
    except ImportError:
        raise AnsibleFilterError(
            f"{what} is not available in this version of node-timing (node_timing.{module} is "
            "missing); upgrade the node-timing Python package"
        ) from None


def _plain(value: Any, where: str) -> Any:
    """A plain-Python copy of ``value`` (no Ansible or 2.19 lazy/tagged subclasses)."""
    if isinstance(value, Undefined):  # 2.19 hands an undefined value over as a marker object
        raise AnsibleFilterError(f"{where} is undefined")
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {_plain(k, where): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset) and not isinstance(value, bytes | bytearray):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise AnsibleFilterError(f"{where}: unsupported value of type {type(value).__name__}")


def _nodes(value: Any, filter_name: str) -> int:
    if value is None:
        raise AnsibleFilterError(
            f"{filter_name} needs nodes=<number of nodes in the cluster>, e.g. "
            f"nodes=(groups['k8s_cluster'] | length)"
        )
    value = _plain(value, "nodes")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AnsibleFilterError(f"{filter_name}: nodes must be a whole number >= 0, got {value!r}")
    return value


def _version_text(value: Any) -> Any:
    value = _plain(value, "kube_version")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _settings_input(value: Any, filter_name: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(settings dict, profile result or None)`` from a settings dict or a profile result."""
    if not isinstance(value, Mapping):
        raise AnsibleFilterError(
            f"{filter_name} expects the settings mapping (kubelet, controller_manager, apiserver) "
            "or the "
            f"result of {_FQCN}.node_timing_profile, got {type(value).__name__}"
        )
    data = _plain(value, "settings")
    if isinstance(data.get("settings"), dict):
        return data["settings"], data
    return data, None


def _to_settings(
    value: Any, filter_name: str, kube_version: Any = None
) -> tuple[Any, Any, dict[str, Any] | None]:
    """``(Settings, KubeVersion, profile result or None)``; unset settings take defaults."""
    data, result = _settings_input(value, filter_name)
    version_text = _version_text(kube_version)
    if version_text is None and result is not None:
        version_text = result.get("kube_version")
    version = knowledge.resolve_version(version_text)
    return settings.from_dict(data, settings.defaults(version)), version, result


def _overrides(value: Any) -> dict[str, Any]:
    """Flat ``{"component.setting": value}``; nested ``{component: {setting: v}}`` flattened."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AnsibleFilterError(
            "overrides must be a mapping like "
            "{'controller_manager.node_monitor_grace_period': '30s'}, "
            f"got {type(value).__name__}"
        )
    flat: dict[str, Any] = {}
    for key, item in _plain(value, "overrides").items():
        if isinstance(item, dict) and key in settings.COMPONENTS:
            flat.update({f"{key}.{name}": v for name, v in item.items()})
        else:
            flat[str(key)] = item
    return flat


def _call(filter_name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    _core()
    try:
        return func(*args, **kwargs)
    except AnsibleFilterError:
        raise
    except _core_errors() as exc:
        raise AnsibleFilterError(f"{filter_name}: {exc}") from None
    except ValueError as exc:  # the renderers' own errors (RenderError and the like)
        raise AnsibleFilterError(f"{filter_name}: {exc}") from None


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
            raise AnsibleFilterError(
                f"node_timing_profile: the profile name must be a string (one of "
                f"{', '.join(profiles.names())}), got {name!r}"
            )
        budget = _plain(heartbeat_budget, "heartbeat_budget")
        if isinstance(budget, str) and budget.strip():
            with contextlib.suppress(ValueError):  # profiles.compute names the bad value
                budget = float(budget)
        if budget == "":
            budget = None
        result = profiles.compute(
            str(name),
            _nodes(nodes, "node_timing_profile"),
            kube_version=_version_text(kube_version),
            overrides=_overrides(overrides),
            heartbeat_budget=budget,
        )
        current_vars = _plain(current, "current") if current is not None else None
        if current_vars is not None and not isinstance(current_vars, dict):
            raise AnsibleFilterError(
                "node_timing_profile: current must be a mapping of kubespray variables"
            )
        report = profiles.report(
            result,
            _plain(lease_bytes, "lease_bytes"),
            _plain(node_status_bytes, "node_status_bytes"),
            current_vars,
        )
        return dict(_plain(report, "result"))

    result: dict[str, Any] = _call("node_timing_profile", run)
    return result


def node_timing_figures(
    value: Any,
    nodes: Any = None,
    kube_version: Any = None,
    lease_bytes: Any = None,
    node_status_bytes: Any = None,
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        s, _version, result = _to_settings(value, "node_timing_figures", kube_version)
        count = nodes if nodes is not None or result is None else result.get("nodes")
        figs = figures.compute(
            s,
            _nodes(count, "node_timing_figures"),
            _plain(lease_bytes, "lease_bytes"),
            _plain(node_status_bytes, "node_status_bytes"),
        )
        return dict(_plain(figs.to_dict(), "figures"))

    result: dict[str, Any] = _call("node_timing_figures", run)
    return result


def node_timing_host_vars(value: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise AnsibleFilterError(
                "node_timing_host_vars expects one host's variables, "
                "e.g. hostvars[inventory_hostname], "
                f"got {type(value).__name__}"
            )
        selected: dict[str, Any] = {}
        origins: dict[str, list[Any]] = {}
        raw_vars = getattr(value, "_vars", None)
        for key in list(value.keys()):
            name = str(key)
            if name.startswith("_") or name in _RESULT_FACTS:
                continue
            if name == _ORIGINS:  # already selected once: keep what was recorded
                recorded = value[key]
                if isinstance(recorded, Mapping):
                    origins.update({str(k): list(v) for k, v in recorded.items()})
                continue
            if not any(marker in name for marker in _HOST_VAR_MARKERS):
                continue
            try:
                item = value[key]
            except Exception:
                item = Undefined()
            raw = raw_vars.get(key) if isinstance(raw_vars, Mapping) else None
            where = _origin(raw) if raw is not None else None
            where = where or _origin(item)
            if where:
                origins[name] = where
            try:
                selected[name] = _plain(item, name)
            except AnsibleFilterError:
                # As ansible-core before 2.19 does, hand over the template text itself, so that the
                # checks can report the value as unresolved instead of silently missing it.
                raw = getattr(value, "_vars", {}).get(key)
                if isinstance(raw, str):
                    selected[name] = str(raw)
        if origins:
            selected[_ORIGINS] = {k: origins[k] for k in sorted(origins) if k in selected}
        return dict(sorted(selected.items()))

    result: dict[str, Any] = _call("node_timing_host_vars", run)
    return result


def _check_hosts(
    value: Mapping[Any, Any], nodes: Any, kube_version: Any, control_plane: Any = None
) -> list[dict[str, Any]]:
    """Findings for ``{host: variables}``: hosts with the same variables form one group, and the
    groups are checked together as `lint` checks an inventory, so each group's figures count its
    own hosts (one host_vars host is one node, not the cluster)."""
    lint = _optional("rules.runner", "node_timing_check")
    count = None if nodes is None else _nodes(nodes, "node_timing_check")
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for host, host_value in value.items():
        if not isinstance(host_value, Mapping):
            raise AnsibleFilterError(
                f"node_timing_check(per_host=true) expects host names mapped to their variables; "
                f"{host} has {type(host_value).__name__}"
            )
        selected = node_timing_host_vars(host_value)
        key = repr(sorted(selected.items(), key=lambda kv: kv[0]))
        groups.setdefault(key, (selected, []))[1].append(str(host))
    control = None if control_plane is None else _plain(control_plane, "control_plane")
    if control is not None and not isinstance(control, list):
        raise AnsibleFilterError("node_timing_check: control_plane must be a list of host names")
    findings = lint.check_host_groups(
        [
            (selected, hosts, selected.pop(_ORIGINS, None) or {})
            for selected, hosts in groups.values()
        ],
        count,
        _version_text(kube_version),
        control_plane=None if control is None else [str(h) for h in control],
    )
    return [_plain(f.to_dict(), "finding") for f in findings]


def node_timing_check(
    value: Any,
    nodes: Any = None,
    kube_version: Any = None,
    per_host: Any = False,
    control_plane: Any = None,
) -> list[dict[str, Any]]:
    def run() -> list[dict[str, Any]]:
        if per_host and isinstance(value, Mapping):
            return _check_hosts(value, nodes, kube_version, control_plane)
        if not isinstance(value, Mapping):
            raise AnsibleFilterError(
                "node_timing_check expects one host's variables as a mapping (e.g. "
                f"hostvars[inventory_hostname] | {_FQCN}.node_timing_host_vars), "
                f"got {type(value).__name__}"
            )
        lint = _optional("rules.runner", "node_timing_check")
        host_vars = node_timing_host_vars(value)
        count = None if nodes is None else _nodes(nodes, "node_timing_check")
        origins = host_vars.pop(_ORIGINS, None) or {}
        findings = lint.check_host_vars(
            host_vars, count, _version_text(kube_version), origins=origins
        )
        return [_plain(f.to_dict(), "finding") for f in findings]

    result: list[dict[str, Any]] = _call("node_timing_check", run)
    return result


def _current_extra_args(current: Any, where: str) -> dict[str, Any] | None:
    if current is None:
        return None
    if not isinstance(current, Mapping):
        raise AnsibleFilterError(
            f"node_timing_kubespray_vars: {where} must be a mapping holding the inventory's "
            "extra-args dicts (kubelet_config_extra_args, kube_kubeadm_controller_extra_args, "
            f"kube_kubeadm_apiserver_extra_args), got {type(current).__name__}"
        )
    # Only the wanted keys are read: reading any other variable of a host's hostvars would
    # template it.
    return {name: _plain(current[name], name) for name in kubespray.extra_args() if name in current}


def node_timing_kubespray_vars(
    value: Any,
    current: Any = None,
    kube_version: Any = None,
    hosts: Any = None,
    shared: Any = False,
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        s, version, _result = _to_settings(value, "node_timing_kubespray_vars", kube_version)
        if hosts is None:
            current_vars = _current_extra_args(current, "current")
            return dict(_plain(kubespray.to_vars(s, current_vars, version), "kubespray"))
        if not isinstance(hosts, Mapping):
            raise AnsibleFilterError(
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
                    _plain(kubespray.to_vars(s, current_vars, version), "kubespray")
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
        return {
            "shared": by_dicts[common] if common is not None else {},
            "hosts": {host: by_dicts[key] for host, key in host_keys.items() if key != common},
        }

    result: dict[str, Any] = _call("node_timing_kubespray_vars", run)
    return result


def node_timing_kubelet_config(value: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        render = _optional("render", "node_timing_kubelet_config")
        s, _version, _result = _to_settings(value, "node_timing_kubelet_config")
        return dict(_plain(render.kubelet_config(s), "kubelet_config"))

    result: dict[str, Any] = _call("node_timing_kubelet_config", run)
    return result


def _style(style: Any, filter_name: str) -> str:
    text = _plain(style, "style")
    if text not in _STYLES:
        raise AnsibleFilterError(
            f"{filter_name}: style must be one of {', '.join(_STYLES)}, got {text!r}"
        )
    return str(text)


def node_timing_controller_args(value: Any, style: Any = "flags", kube_version: Any = None) -> Any:
    def run() -> Any:
        render = _optional("render", "node_timing_controller_args")
        shape = _style(style, "node_timing_controller_args")
        s, version, _result = _to_settings(value, "node_timing_controller_args", kube_version)
        return _plain(render.controller_args(s, version, shape), "controller_args")

    return _call("node_timing_controller_args", run)


def node_timing_apiserver_args(value: Any, style: Any = "flags") -> Any:
    def run() -> Any:
        render = _optional("render", "node_timing_apiserver_args")
        shape = _style(style, "node_timing_apiserver_args")
        s, _version, _result = _to_settings(value, "node_timing_apiserver_args")
        return _plain(render.apiserver_args(s, shape), "apiserver_args")

    return _call("node_timing_apiserver_args", run)


def node_timing_render_all(
    value: Any, kube_version: Any = None, kubeadm_api: Any = None, current: Any = None
) -> dict[str, str]:
    def run() -> dict[str, str]:
        render = _optional("render", "node_timing_render_all")
        s, version, _result = _to_settings(value, "node_timing_render_all", kube_version)
        api = _plain(kubeadm_api, "kubeadm_api") or None
        current_vars = None if current is None else _plain(current, "current")
        if current_vars is not None and not isinstance(current_vars, dict):
            raise AnsibleFilterError(
                "node_timing_render_all: current must be a mapping of kubespray variables"
            )
        files = render.render_all(s, version, kubeadm_api=api, current_kubespray=current_vars)
        return {str(path): str(text) for path, text in files.items()}

    result: dict[str, str] = _call("node_timing_render_all", run)
    return result


def node_timing_patch_manifest(text: Any, value: Any, kube_version: Any = None) -> str:
    def run() -> str:
        patch = _optional("render.patch", "node_timing_patch_manifest")
        if not isinstance(text, str):
            raise AnsibleFilterError(
                "node_timing_patch_manifest expects the manifest text (e.g. the slurped content "
                f"| b64decode), got {type(text).__name__}"
            )
        s, version, _result = _to_settings(value, "node_timing_patch_manifest", kube_version)
        if hasattr(patch, "patch_manifest_text"):
            return str(patch.patch_manifest_text(str(text), s, version))
        return str(patch.patch_manifest(str(text), s, version).text)

    result: str = _call("node_timing_patch_manifest", run)
    return result


def node_timing_patch_kubelet_config(text: Any, value: Any) -> str:
    def run() -> str:
        render = _optional("render.kubelet", "node_timing_patch_kubelet_config")
        if not isinstance(text, str):
            raise AnsibleFilterError(
                "node_timing_patch_kubelet_config expects the KubeletConfiguration text (e.g. "
                f"the slurped content | b64decode), got {type(text).__name__}"
            )
        s, _version, _result = _to_settings(value, "node_timing_patch_kubelet_config")
        return str(render.patch_kubelet_config(str(text), s))

    result: str = _call("node_timing_patch_kubelet_config", run)
    return result


def node_timing_kubelet_verify(files: Any, value: Any, kube_version: Any = None) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        import os
        import tempfile

        reader = _optional("deployed.kubelet", "node_timing_kubelet_verify")
        if not isinstance(files, Mapping):
            raise AnsibleFilterError(
                "node_timing_kubelet_verify expects {node path: text} of the kubelet's files, got "
                f"{type(files).__name__}"
            )
        texts = _plain(files, "files")
        s, version, _result = _to_settings(value, "node_timing_kubelet_verify", kube_version)
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

    result: dict[str, Any] = _call("node_timing_kubelet_verify", run)
    return result


def go_duration(value: Any) -> str:
    def run() -> str:
        plain = _plain(value, "value")
        if isinstance(plain, bool) or plain is None:
            raise AnsibleFilterError(
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
                raise AnsibleFilterError(
                    f"go_duration: {exc} (write it like 40s, 1m30s or 500ms; Go has no d unit)"
                ) from None
        raise AnsibleFilterError(
            f"go_duration expects a string or a number, got {type(plain).__name__}"
        )

    result: str = _call("go_duration", run)
    return result


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def duration_seconds(value: Any) -> int | float:
    def run() -> int | float:
        plain = _plain(value, "value")
        if isinstance(plain, bool) or plain is None:
            raise AnsibleFilterError(
                f"duration_seconds expects a Go duration string, got {plain!r}"
            )
        if isinstance(plain, int | float):
            ns = durations.from_seconds(plain)
        elif isinstance(plain, str):
            try:
                ns = durations.parse(plain.strip())
            except durations.DurationError as exc:
                raise AnsibleFilterError(
                    f"duration_seconds: {exc} (write it like 40s, 1m30s or 500ms; Go has no d unit)"
                ) from None
        else:
            raise AnsibleFilterError(
                f"duration_seconds expects a string, got {type(plain).__name__}"
            )
        if ns % durations.SECOND == 0:
            return ns // durations.SECOND
        return durations.to_seconds(ns)

    result: int | float = _call("duration_seconds", run)
    return result


class FilterModule:
    """Node-health timing filters for Kubernetes clusters deployed with kubespray or kubeadm."""

    def filters(self) -> dict[str, Any]:
        return {
            "node_timing_profile": node_timing_profile,
            "node_timing_figures": node_timing_figures,
            "node_timing_host_vars": node_timing_host_vars,
            "node_timing_check": node_timing_check,
            "node_timing_kubespray_vars": node_timing_kubespray_vars,
            "node_timing_kubelet_config": node_timing_kubelet_config,
            "node_timing_controller_args": node_timing_controller_args,
            "node_timing_apiserver_args": node_timing_apiserver_args,
            "node_timing_render_all": node_timing_render_all,
            "node_timing_patch_manifest": node_timing_patch_manifest,
            "node_timing_patch_kubelet_config": node_timing_patch_kubelet_config,
            "node_timing_kubelet_verify": node_timing_kubelet_verify,
            "go_duration": go_duration,
            "duration_seconds": duration_seconds,
        }
