"""Effective settings per host: what kubespray renders from a host's variables (data/kubespray.yml).

For every timing setting this module finds where its value comes from (see :mod:`.sources`):
a first-class kubespray variable, a key of an extra-args dict, or kubespray's role default (or
Kubernetes' default where kubespray writes nothing). Rules read these records; they never look at
raw variables for settings themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from node_timing import knowledge, kubespray
from node_timing.evaluate.sources import (
    EXTRA_ARG,
    K8S_DEFAULT,
    KUBESPRAY_DEFAULT,
    NODE_TIMING_VAR,
    VARIABLE,
    Source,
    _parse_source,
    key_location,
    key_noqa,
    plain,
    value_location,
    value_noqa,
)
from node_timing.findings import Location
from node_timing.knowledge import KubeVersion
from node_timing.settings import Settings, defaults, from_flat, parse_value

# Settings that only the role can set (environment of the kubelet): their inventory variables.
NODE_TIMING_VARIABLES = {
    "node_timing_http2_read_idle_timeout_seconds": "kubelet.http2_read_idle_timeout_seconds",
    "node_timing_http2_ping_timeout_seconds": "kubelet.http2_ping_timeout_seconds",
}


@dataclass
class HostTiming:
    """The timing view of one host (or of every host that shares the same relevant variables)."""

    hosts: list[str]
    version: KubeVersion
    settings: Settings
    # setting path → the source that wins (what kubespray renders last)
    effective: dict[str, Source]
    # setting path → every source found, in rendering order (first-class variable, then extra arg)
    sources: dict[str, list[Source]]
    # raw variables relevant to the rules (timing variables and the extra-args dicts)
    variables: Mapping[str, Any]
    report_inherits: bool = False
    unresolved: list[Source] = field(default_factory=list)

    def source(self, path: str) -> Source:
        return self.effective[path]


def build_host_timing(
    hosts: list[str],
    variables: Mapping[str, Any],
    version: KubeVersion,
    default_location: Location,
    template_vars: Mapping[str, Any] | None = None,
) -> HostTiming:
    """Effective settings for hosts that share ``variables`` (loader Values keyed by name).

    ``template_vars`` are the variables templated values may read (default: ``variables``).
    """
    context = {
        name: plain(v)
        for name, v in (template_vars if template_vars is not None else variables).items()
    }
    sources: dict[str, list[Source]] = {}
    # Kubernetes defaults for what kubespray does not render at all.
    base = defaults(version)
    for path in _all_paths():
        sources[path] = [
            Source(path, K8S_DEFAULT, path, None, default_location, value=base.get(path))
        ]
    # kubespray's first-class variables: always rendered, from the role default when unset.
    for name, fact in kubespray.variables().items():
        path = fact["setting"]
        if name in variables:
            v = variables[name]
            src = _parse_source(
                path,
                VARIABLE,
                name,
                plain(v),
                value_location(v, default_location),
                value_noqa(v),
                context,
            )
        else:
            src = Source(
                path,
                KUBESPRAY_DEFAULT,
                name,
                fact["default"],
                default_location,
                value=_parsed_default(path, fact["default"]),
            )
        sources[path] = [src]
    report_inherits = bool(knowledge.kubespray()["kubelet_writes_update_frequency"]["value"])
    # Keys of the extra-args dicts: rendered after the first-class variables, so they win.
    for dict_name, fact in kubespray.extra_args().items():
        holder = variables.get(dict_name)
        if holder is None:
            continue
        content = plain(holder)
        if not isinstance(content, Mapping):
            continue
        for key, path in fact["keys"].items():
            if key not in content:
                continue
            loc = key_location(holder, key, default_location)
            src = _parse_source(
                path,
                EXTRA_ARG,
                f"{dict_name}.{key}",
                content[key],
                loc,
                key_noqa(holder, key),
                context,
            )
            if sources[path] and sources[path][0].kind == K8S_DEFAULT:
                sources[path] = [src]
            else:
                sources[path].append(src)
            if path == "kubelet.node_status_report_frequency":
                report_inherits = src.usable and src.value is None
    for var, path in NODE_TIMING_VARIABLES.items():
        if var in variables:
            v = variables[var]
            sources[path] = [
                _parse_source(
                    path,
                    NODE_TIMING_VAR,
                    var,
                    plain(v),
                    value_location(v, default_location),
                    value_noqa(v),
                    context,
                )
            ]
    effective: dict[str, Source] = {}
    values: dict[str, Any] = {}
    unresolved: list[Source] = []
    for path, found in sources.items():
        winner = found[-1]
        effective[path] = winner
        for src in found:
            if src.unresolved:
                unresolved.append(src)
        usable = [s for s in found if s.usable]
        if (
            path == "kubelet.node_status_report_frequency"
            and winner.kind == K8S_DEFAULT
            and report_inherits
        ):
            values[path] = None
            continue
        values[path] = usable[-1].value if usable and winner.usable else base.get(path)
    settings = from_flat(values)
    return HostTiming(
        hosts=list(hosts),
        version=version,
        settings=settings,
        effective=effective,
        sources=sources,
        variables=variables,
        report_inherits=settings.kubelet.node_status_report_frequency is None,
        unresolved=unresolved,
    )


_DEFAULTS: dict[tuple[str, Any], Any] = {}


def _parsed_default(path: str, raw: Any) -> Any:
    """kubespray's role default for ``path``, parsed once (it is the same for every host)."""
    key = (path, raw)
    try:
        return _DEFAULTS[key]
    except KeyError:
        value = _DEFAULTS[key] = parse_value(path, raw)
        return value
    except TypeError:  # pragma: no cover - an unhashable default in the knowledge data
        return parse_value(path, raw)


def _all_paths() -> Iterable[str]:
    from node_timing.settings import setting_paths

    return setting_paths()


def settings_usable(timing: HostTiming, *paths: str) -> bool:
    """True when every named setting has a known, valid value (else the rule skips)."""
    return all(timing.effective[p].usable for p in paths)
