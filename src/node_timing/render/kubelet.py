"""Kubelet outputs: KubeletConfiguration fields, the ``--config-dir`` drop-in, the HTTP/2 env."""

from __future__ import annotations

from typing import Any

from node_timing import knowledge, serialize
from node_timing.knowledge import KubeVersion
from node_timing.settings import SettingError, Settings, parse_value, to_output

API_VERSION = "kubelet.config.k8s.io/v1beta1"
KIND = "KubeletConfiguration"
_HTTP2 = ("kubelet.http2_read_idle_timeout_seconds", "kubelet.http2_ping_timeout_seconds")


def kubelet_fields(settings: Settings) -> dict[str, Any]:
    """The timing fields of a KubeletConfiguration, camelCase, durations as Go strings.

    The report frequency is always written: when the settings let it inherit, the update frequency
    is what the kubelet would derive, and a drop-in merges after defaulting (data/kubernetes.yml,
    ``kubelet_config_dir``), so an absent report frequency would stay at 5m0s there instead of
    inheriting.
    """
    k = settings.kubelet
    report = k.node_status_report_frequency
    if report is None:
        report = k.node_status_update_frequency
    return {
        "nodeStatusUpdateFrequency": to_output(
            "kubelet.node_status_update_frequency", k.node_status_update_frequency
        ),
        "nodeStatusReportFrequency": to_output("kubelet.node_status_report_frequency", report),
        "nodeLeaseDurationSeconds": k.node_lease_duration_seconds,
    }


def kubelet_config(settings: Settings) -> dict[str, Any]:
    """A KubeletConfiguration document holding only the timing fields."""
    return {"apiVersion": API_VERSION, "kind": KIND, **kubelet_fields(settings)}


def config_file(settings: Settings, version: KubeVersion) -> str:
    header = (
        f"# Node-health timing for the kubelet, Kubernetes {version.minor_text}.\n"
        "# Merge these fields into the kubelet's configuration file (--config).\n"
    )
    return header + serialize.to_yaml(kubelet_config(settings))


def dropin_file(settings: Settings, version: KubeVersion) -> str | None:
    """The drop-in for ``--config-dir``; ``None`` when the version has no drop-in directory."""
    fact = knowledge.kubelet_config_dir(version)
    status = fact["status"]
    if status == "none":
        return None
    lines = [
        f"# Node-health timing for the kubelet, Kubernetes {version.minor_text}: a drop-in for",
        "# the directory given to the kubelet's --config-dir (files ending in .conf, applied in",
        "# name order).",
    ]
    if status == "alpha":
        env = fact["env"]
        lines += [
            f"# Kubernetes {version.minor_text}: --config-dir is alpha; the kubelet reads it only",
            f'# with the environment variable {env}=true set (e.g. Environment="{env}=true"',
            "# in a kubelet.service drop-in).",
        ]
    else:
        stage = "generally available" if status == "ga" else status
        lines.append(f"# --config-dir is {stage} in Kubernetes {version.minor_text}.")
    return "\n".join(lines) + "\n" + serialize.to_yaml(kubelet_config(settings))


def http2_environment(settings: Settings, version: KubeVersion) -> dict[str, int] | None:
    """``{variable: seconds}`` of the kubelet's HTTP/2 timeouts; ``None`` at client-go defaults."""
    values = {path: settings.get(path) for path in _HTTP2}
    if all(values[path] == knowledge.default_for(path, version) for path in _HTTP2):
        return None
    facts = knowledge.setting_facts()
    return {facts[path]["upstream_name"]: int(value) for path, value in values.items()}


def http2_env_file(settings: Settings, version: KubeVersion) -> str | None:
    """A systemd drop-in for kubelet.service, or ``None`` when client-go's defaults apply."""
    env = http2_environment(settings, version)
    if env is None:
        return None
    lines = [
        "# kubelet.service drop-in (/etc/systemd/system/kubelet.service.d/): client-go's HTTP/2",
        "# health check, so that a silently dead API server connection is noticed within the",
        "# node-monitor grace period. Run `systemctl daemon-reload` and restart the kubelet.",
        "[Service]",
    ]
    lines += [f'Environment="{name}={value}"' for name, value in env.items()]
    return "\n".join(lines) + "\n"


# KubeletConfiguration field → setting path, for reading a config file back.
_FIELDS = {
    "nodeStatusUpdateFrequency": "kubelet.node_status_update_frequency",
    "nodeStatusReportFrequency": "kubelet.node_status_report_frequency",
    "nodeLeaseDurationSeconds": "kubelet.node_lease_duration_seconds",
}


def patch_kubelet_config(text: str, settings: Settings) -> str:
    """``text`` (a KubeletConfiguration file) with its timing fields set to ``settings``.

    Only the three timing fields' values change, or are added at the end of the document; every
    other byte stays (comments, order, quoting), as for the static Pod manifests. A field that
    already means the wanted value (``4s`` for ``4.0s``) is left as written, so patching its own
    output, or a file that is already right, changes nothing. Raises :class:`RenderError` when
    the text is not one KubeletConfiguration mapping.
    """
    import yaml

    from node_timing.edits.yamledit import EditError, YamlText
    from node_timing.render.args import RenderError

    try:
        doc = YamlText(text)
        root = doc.root_mapping()
    except (EditError, yaml.YAMLError) as exc:
        raise RenderError(f"not a kubelet configuration file: {exc}") from None
    if root is None:
        raise RenderError("not a kubelet configuration file: no mapping at the top")
    kind = doc.top_level("kind")
    if kind is None or getattr(kind.value, "value", None) != KIND:
        raise RenderError(f"not a kubelet configuration file: kind is not {KIND}")
    try:
        for name, wanted in kubelet_fields(settings).items():
            pair = doc.top_level(name)
            if pair is None:
                doc.insert(root, None, name, wanted)
            elif not _same(name, getattr(pair.value, "value", None), wanted):
                doc.set_value(pair, wanted)
        return doc.result()
    except EditError as exc:
        raise RenderError(f"cannot edit the kubelet configuration file: {exc}") from None


def read_kubelet_fields(text: str) -> dict[str, Any]:
    """The timing fields a KubeletConfiguration file sets, parsed (ns or int); absent ones left out.

    Raises :class:`RenderError` when a value is not valid for its field.
    """
    import yaml

    from node_timing.render.args import RenderError

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RenderError(f"not a kubelet configuration file: {exc}") from None
    if not isinstance(data, dict):
        raise RenderError("not a kubelet configuration file: no mapping at the top")
    out: dict[str, Any] = {}
    for name, path in _FIELDS.items():
        if name in data:
            try:
                out[name] = parse_value(path, data[name])
            except SettingError as exc:
                raise RenderError(f"{name}: {exc}") from None
    return out


def _same(name: str, raw: Any, wanted: Any) -> bool:
    """Whether a field's scalar text ``raw`` already means ``wanted``."""
    if raw is None:
        return False
    try:
        return bool(parse_value(_FIELDS[name], raw) == parse_value(_FIELDS[name], wanted))
    except SettingError:
        return False
