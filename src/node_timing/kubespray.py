"""kubespray's variables for node-health timing, both ways (FACTS.md §5, data/kubespray.yml)."""

from __future__ import annotations

from typing import Any

from node_timing import knowledge
from node_timing.settings import Settings, parse_value, to_output


def variables() -> dict[str, dict[str, Any]]:
    """First-class variables: name → {setting, default, source}."""
    result: dict[str, dict[str, Any]] = knowledge.kubespray()["variables"]
    return result


def extra_args() -> dict[str, dict[str, Any]]:
    """Extra-args dicts: name → {component, key_style, keys: {key: setting path}}."""
    result: dict[str, dict[str, Any]] = knowledge.kubespray()["extra_args"]
    return result


def variable_for(path: str) -> str | None:
    """The first-class variable that sets ``path``, if kubespray has one."""
    for name, fact in variables().items():
        if fact["setting"] == path:
            return name
    return None


def extra_arg_for(path: str) -> tuple[str, str] | None:
    """The (dict, key) through which ``path`` can be set, if any."""
    for dict_name, fact in extra_args().items():
        for key, setting in fact["keys"].items():
            if setting == path:
                return dict_name, key
    return None


def default_settings_values() -> dict[str, Any]:
    """What stock kubespray renders: its role defaults, and a report frequency that inherits."""
    values = {fact["setting"]: parse_value(fact["setting"], fact["default"]) for fact in variables().values()}
    if knowledge.kubespray()["kubelet_writes_update_frequency"]["value"]:
        values["kubelet.node_status_report_frequency"] = None
    return values


def _extra_arg_value(path: str, value: Any) -> str:
    """Extra-args values are strings for kubeadm; floats without needless digits (0.1, not 0.10)."""
    out = to_output(path, value)
    if isinstance(out, float):
        return f"{out:g}"
    return str(out)


def to_vars(settings: Settings, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The kubespray group_vars that produce ``settings``.

    First-class variables where kubespray has one; every other setting as a key of its extra-args
    dict. ``current`` holds the inventory's existing extra-args dicts: their other keys are kept, and
    keys that duplicate a first-class variable are dropped (kubespray would render them twice).
    HTTP/2 timeouts are kubelet environment variables, which kubespray has no variable for.
    """
    current = current or {}
    out: dict[str, Any] = {}
    for name, fact in variables().items():
        value = to_output(fact["setting"], settings.get(fact["setting"]))
        out[name] = str(value) if isinstance(value, int) else value
    first_class = {fact["setting"] for fact in variables().values()}
    for dict_name, fact in extra_args().items():
        existing = current.get(dict_name)
        merged: dict[str, Any] = dict(existing) if isinstance(existing, dict) else {}
        for key, path in fact["keys"].items():
            if path in first_class:
                merged.pop(key, None)
                continue
            value = settings.get(path)
            if value is None:
                merged.pop(key, None)
                continue
            merged[key] = _extra_arg_value(path, value) if fact["key_style"] == "dash-case" else to_output(path, value)
        if merged or dict_name in current:
            out[dict_name] = merged
    return out
