"""From a host's sources to the values the components run (the model in ``resolution.py``).

``build_host_timing`` collects every place that renders a setting; this module decides which of
them runs: kubeadm's order for repeated control-plane flags, the kubelet's defaulting of its file
and its flags over the file, and the flags ``kubelet_custom_flags`` adds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from node_timing import knowledge
from node_timing.evaluate.resolution import (
    ApiVersion,
    CustomFlags,
    KubeletFile,
    KubeletRuns,
    Rendered,
    Resolution,
    kubelet_effective,
    kubelet_flag_settings,
    parse_custom_flags,
    resolve_kubeadm_duplicates,
)
from node_timing.knowledge import KubeVersion

UPDATE = "kubelet.node_status_update_frequency"
REPORT = "kubelet.node_status_report_frequency"
LEASE = "kubelet.node_lease_duration_seconds"
CUSTOM_FLAGS = "kubelet_custom_flags"
API_VARIABLE = "kubeadm_config_api_version"
VALIDATE_VARIABLE = "kubeadm_config_validate_enabled"
# Variables this module reads besides the settings' own.
VARIABLES = (CUSTOM_FLAGS, API_VARIABLE, VALIDATE_VARIABLE)


def rendered_text(raw: Any) -> str:
    """A value as kubespray's ``"{{ value }}"`` writes it into the kubeadm configuration."""
    if isinstance(raw, bool):
        return "True" if raw else "False"
    return str(raw)


def api_version(
    variables: Mapping[str, Any], version: KubeVersion, release: str | None = None
) -> ApiVersion:
    """The kubeadm API kubespray renders. A release with only the v1beta4 template (``before:
    null`` under its ``kubeadm_api``, 2.31 on) renders v1beta4 whatever the inventory says; an
    older one (or an unknown release) the inventory's choice when it names one, else v1beta4 from
    the release's first Kubernetes minor for it (1.31)."""
    facts = knowledge.kubespray()
    api = facts["releases"].get(release, {}).get("kubeadm_api") if release else None
    if api is not None and api.get("before") is None:
        return "v1beta4"
    chosen = variables.get(API_VARIABLE)
    if chosen in ("v1beta3", "v1beta4"):
        return "v1beta3" if chosen == "v1beta3" else "v1beta4"
    first = (api or facts["rendering"]["kubeadm_api_version"])["v1beta4_from"]
    return "v1beta4" if version.key() >= KubeVersion.parse(str(first)).key() else "v1beta3"


def validate_enabled(variables: Mapping[str, Any]) -> bool:
    value = variables.get(VALIDATE_VARIABLE)
    return value is not False and str(value).lower() not in ("false", "no", "off", "0")


def resolve_control_plane(
    path: str,
    flag: str,
    found: Sequence[Any],
    variables: Mapping[str, Any],
    version: KubeVersion,
    release: str | None = None,
) -> tuple[int, Resolution] | None:
    """The index in ``found`` (Source records in render order) of the value that runs, and why;
    None when the setting is rendered once or a value is not usable (other rules say so)."""
    if len(found) < 2 or not all(s.usable for s in found):
        return None
    entries = [Rendered(rendered_text(s.raw), s.name) for s in found]
    resolution = resolve_kubeadm_duplicates(
        entries,
        flag,
        api_version(variables, version, release),
        version,
        validate=validate_enabled(variables),
    )
    if resolution.winner is None:
        return len(found) - 1, resolution  # the rules judge the later value; the finding says why
    return entries.index(resolution.winner), resolution


def custom_flags(variables: Mapping[str, Any]) -> CustomFlags | None:
    if CUSTOM_FLAGS not in variables:
        return None
    return parse_custom_flags(getattr(variables[CUSTOM_FLAGS], "value", variables[CUSTOM_FLAGS]))


def flag_values(flags: CustomFlags | None) -> dict[str, str]:
    """Setting path → the value text of the kubelet flag that sets it (the last occurrence)."""
    if flags is None:
        return {}
    out: dict[str, str] = {}
    for name, path in kubelet_flag_settings().items():
        last = flags.last(name)
        if last is not None and last.value is not None:
            out[path] = last.value
    return out


def kubelet_runs(
    file_value: Callable[[str], int | None], flag_update: int | None, version: KubeVersion
) -> KubeletRuns:
    """The kubelet's values from its file (``file_value(path)``: None when absent) and flag."""
    given = KubeletFile(file_value(UPDATE), file_value(REPORT), file_value(LEASE))
    return kubelet_effective(given, version, flag_update=flag_update)
