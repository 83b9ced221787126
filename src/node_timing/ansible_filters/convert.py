"""Input checks for the Ansible filters: plain Python from what a play hands over, and errors.

Ansible is imported here only to read where a value came from (its 2.19 Origin tag).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Undefined

from node_timing import durations, knowledge, profiles, settings

FQCN = "kubetiming.node_timing"
STYLES = ("flags", "v1beta3", "v1beta4")
# Variable names that can carry node-health timing (kubespray's all start with kube); the rest of a
# host's variables are never read, so their templates are never evaluated.
HOST_VAR_MARKERS = ("kube", "node_timing")
# The role's own result, which is not an input to the checks.
RESULT_FACTS = frozenset({"node_timing"})
# Key under which node_timing_host_vars returns where each variable was read: (path, line, column).
ORIGINS = "node_timing_origins"


class FilterError(ValueError):
    """A filter's input or computation failed; the plugin raises it as AnsibleFilterError."""


def origin_of(item: Any) -> list[Any] | None:
    """Where Ansible read a value: ``ansible_pos`` up to 2.18, the Origin tag from 2.19."""
    pos = getattr(item, "ansible_pos", None)
    if isinstance(pos, tuple) and len(pos) == 3 and pos[0]:
        return [str(pos[0]), int(pos[1] or 0), int(pos[2] or 0)]
    try:  # ansible-core 2.19+; imported by name: its internals carry no type information
        origin = importlib.import_module("ansible._internal._datatag._tags").Origin
    except (ImportError, AttributeError):
        return None
    try:
        tag = origin.get_tag(item)
    except Exception:
        return None
    if tag is None or not tag.path:
        return None
    return [str(tag.path), int(tag.line_num or 0), int(tag.col_num or 0)]


def _core_errors() -> tuple[type[Exception], ...]:
    return (
        profiles.ProfileError,
        knowledge.KnowledgeError,
        settings.SettingError,
        durations.DurationError,
    )


def to_plain(value: Any, where: str) -> Any:
    """A plain-Python copy of ``value`` (no Ansible or 2.19 lazy/tagged subclasses)."""
    if isinstance(value, Undefined):  # 2.19 hands an undefined value over as a marker object
        raise FilterError(f"{where} is undefined")
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {to_plain(k, where): to_plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset) and not isinstance(value, bytes | bytearray):
        return [to_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise FilterError(f"{where}: unsupported value of type {type(value).__name__}")


def node_count(value: Any, filter_name: str) -> int:
    if value is None:
        raise FilterError(
            f"{filter_name} needs nodes=<number of nodes in the cluster>, e.g. "
            f"nodes=(groups['k8s_cluster'] | length)"
        )
    value = to_plain(value, "nodes")
    if isinstance(value, str) and value.strip().isdigit() and value.isascii():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FilterError(f"{filter_name}: nodes must be a whole number >= 0, got {value!r}")
    return value


def kube_version_text(value: Any) -> Any:
    value = to_plain(value, "kube_version")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _settings_input(value: Any, filter_name: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(settings dict, profile result or None)`` from a settings dict or a profile result."""
    if not isinstance(value, Mapping):
        raise FilterError(
            f"{filter_name} expects the settings mapping (kubelet, controller_manager, apiserver) "
            "or the "
            f"result of {FQCN}.node_timing_profile, got {type(value).__name__}"
        )
    data = to_plain(value, "settings")
    if isinstance(data.get("settings"), dict):
        return data["settings"], data
    return data, None


def to_settings(
    value: Any, filter_name: str, kube_version: Any = None
) -> tuple[Any, Any, dict[str, Any] | None]:
    """``(Settings, KubeVersion, profile result or None)``; unset settings take defaults."""
    data, result = _settings_input(value, filter_name)
    version_text = kube_version_text(kube_version)
    if version_text is None and result is not None:
        version_text = result.get("kube_version")
    version = knowledge.resolve_version(version_text)
    return settings.from_dict(data, settings.defaults(version)), version, result


def flat_overrides(value: Any) -> dict[str, Any]:
    """Flat ``{"component.setting": value}``; nested ``{component: {setting: v}}`` flattened."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise FilterError(
            "overrides must be a mapping like "
            "{'controller_manager.node_monitor_grace_period': '30s'}, "
            f"got {type(value).__name__}"
        )
    flat: dict[str, Any] = {}
    for key, item in to_plain(value, "overrides").items():
        if isinstance(item, dict) and key in settings.COMPONENTS:
            flat.update({f"{key}.{name}": v for name, v in item.items()})
        else:
            flat[str(key)] = item
    return flat


def call(filter_name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except FilterError:
        raise
    except _core_errors() as exc:
        raise FilterError(f"{filter_name}: {exc}") from None
    except ValueError as exc:  # the renderers' own errors (RenderError and the like)
        raise FilterError(f"{filter_name}: {exc}") from None
