"""kubespray's variables for node-health timing, both ways (facts and sources in data/kubespray.yml)."""

from __future__ import annotations

from typing import Any

from node_timing import knowledge
from node_timing.knowledge import KubeVersion
from node_timing.settings import Settings, parse_value, to_output, to_text


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
    values = {
        fact["setting"]: parse_value(fact["setting"], fact["default"])
        for fact in variables().values()
    }
    if knowledge.kubespray()["kubelet_writes_update_frequency"]["value"]:
        values["kubelet.node_status_report_frequency"] = None
    return values


def _removed(component: str, key: str, version: KubeVersion) -> bool:
    """Whether extra-args ``key`` is a flag of ``component`` that ``version`` no longer accepts."""
    flag = key.lstrip("-")
    fact = knowledge.removed_flags().get(flag)
    if fact is None or fact["component"] != component:
        return False
    return knowledge.flag_removed(flag, version)


def to_vars(
    settings: Settings,
    current: dict[str, Any] | None = None,
    version: KubeVersion | None = None,
) -> dict[str, Any]:
    """The kubespray group_vars that produce ``settings``.

    First-class variables where kubespray has one; every other setting as a key of its
    extra-args dict. ``current`` holds the inventory's existing extra-args dicts: their other keys
    are kept, and keys that duplicate a first-class variable are dropped (kubespray would render
    them twice). With ``version``, keys for flags that version removed are dropped too:
    kube-controller-manager does not start with them. HTTP/2 timeouts are kubelet environment
    variables, which kubespray has no variable for.
    """
    current = current or {}
    out: dict[str, Any] = {}
    for name, fact in variables().items():
        out[name] = to_text(fact["setting"], settings.get(fact["setting"]))
    first_class = {fact["setting"] for fact in variables().values()}
    for dict_name, fact in extra_args().items():
        existing = current.get(dict_name)
        merged: dict[str, Any] = dict(existing) if isinstance(existing, dict) else {}
        if version is not None:
            for key in [k for k in merged if _removed(fact["component"], str(k), version)]:
                del merged[key]
        for key, path in fact["keys"].items():
            if path in first_class:
                merged.pop(key, None)
                continue
            value = settings.get(path)
            if value is None:
                merged.pop(key, None)
                continue
            dash_case = fact["key_style"] == "dash-case"
            merged[key] = to_text(path, value) if dash_case else to_output(path, value)
        if merged or dict_name in current:
            out[dict_name] = merged
    return out


def superseded_keys(settings: Settings, version: KubeVersion) -> dict[str, list[str]]:
    """Per extra-args dict, the keys :func:`to_vars` removes from the inventory's own dicts.

    Keys of first-class settings (kubespray renders those itself), of settings left to the
    kubelet's defaulting, and of flags ``version`` removed. The role uses this to merge each
    host's dicts with plain Jinja, without calling back into Python for every host.
    """
    first_class = {fact["setting"] for fact in variables().values()}
    out: dict[str, list[str]] = {}
    for dict_name, fact in extra_args().items():
        keys = [
            key
            for key, path in fact["keys"].items()
            if path in first_class or settings.get(path) is None
        ]
        if fact["component"] == "controller_manager":
            keys += [
                flag for flag in knowledge.removed_flags() if knowledge.flag_removed(flag, version)
            ]
        out[dict_name] = keys
    return out


def deployment() -> dict[str, Any]:
    """Which kubespray playbook deploys which component's timing (data/kubespray.yml)."""
    result: dict[str, Any] = knowledge.kubespray()["deployment"]
    return result


def deploying_component(path: str) -> str:
    """The deployment component of setting ``path``: its own component, or the kubelet's
    environment for the settings kubespray has no variable for."""
    components: dict[str, Any] = deployment()["components"]
    for name, fact in components.items():
        if path in fact.get("settings", ()):
            return name
    return path.split(".")[0]


def redeploy_remedy(path: str) -> str:
    """How to make nodes run the inventory's value of ``path``: the kubespray playbooks that
    redeploy its component, or the role's apply alone."""
    facts = deployment()
    playbooks = facts["components"][deploying_component(path)]["playbooks"]
    apply = facts["role_apply"]
    if not playbooks:
        return f"{apply}; kubespray has no variable for it and no playbook deploys it"
    return f"kubespray's {' or '.join(playbooks)}, or {apply}"
