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
from node_timing.evaluate import running
from node_timing.evaluate.resolution import CustomFlags, Resolution
from node_timing.evaluate.sources import (
    EXTRA_ARG,
    K8S_DEFAULT,
    KUBELET_FLAG,
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
    # setting path → how kubeadm resolves it when kubespray renders it more than once
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    # kubelet setting path → how the kubelet arrived at the value it runs (defaulting, flags)
    kubelet_how: dict[str, str] = field(default_factory=dict)
    custom_flags: CustomFlags | None = None

    def source(self, path: str) -> Source:
        return self.effective[path]


def build_host_timing(
    hosts: list[str],
    variables: Mapping[str, Any],
    version: KubeVersion,
    default_location: Location,
    template_vars: Mapping[str, Any] | None = None,
    release: str | None = None,
) -> HostTiming:
    """Effective settings for hosts that share ``variables`` (loader Values keyed by name).

    ``template_vars`` are the variables templated values may read (default: ``variables``);
    ``release`` is the kubespray release (a key of ``releases:``) when one is known: what it
    renders decides which of two values kubeadm runs.
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
    # Flags in kubelet_custom_flags come after --config on the kubelet's command line: they win.
    flags = running.custom_flags(variables)
    for path, text in running.flag_values(flags).items():
        holder = variables[running.CUSTOM_FLAGS]
        sources[path].append(
            _parse_source(
                path,
                KUBELET_FLAG,
                f"{running.CUSTOM_FLAGS} --{path.split('.')[1].replace('_', '-')}",
                text,
                value_location(holder, default_location),
                value_noqa(holder),
                context,
            )
        )
    plain_vars = {name: plain(v) for name, v in variables.items()}
    effective: dict[str, Source] = {}
    values: dict[str, Any] = {}
    unresolved: list[Source] = []
    resolutions: dict[str, Resolution] = {}
    for path, found in sources.items():
        winner = found[-1]
        if not path.startswith("kubelet."):
            upstream = str(knowledge.setting_fact(path)["upstream_name"])
            resolved = running.resolve_control_plane(
                path, upstream, found, plain_vars, version, release
            )
            if resolved is not None:
                index, resolutions[path] = resolved
                winner = found[index]
                found = [*found[:index], *found[index + 1 :], winner]  # the runner last
                sources[path] = found
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
    kubelet_how = _kubelet_defaulting(sources, values, version)
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
        resolutions=resolutions,
        kubelet_how=kubelet_how,
        custom_flags=flags,
    )


_KUBELET_PATHS = (running.UPDATE, running.REPORT, running.LEASE)


def _kubelet_defaulting(
    sources: Mapping[str, list[Source]], values: dict[str, Any], version: KubeVersion
) -> dict[str, str]:
    """Replace the kubelet values with what the kubelet runs: its file defaulted as defaults.go
    does (0 is unset; the report frequency inherits only an update frequency set non-zero in the
    file), then its flags over it. Left as they are when a value is not usable (rules say why).
    """
    found = {p: sources[p] for p in _KUBELET_PATHS}
    # Each field is defaulted on its own; an unusable one (the rules say why) stays as it is and
    # counts as unset for the others, so a bad lease does not leave a 0 update frequency behind.
    usable = {p: all(s.usable for s in found[p]) for p in _KUBELET_PATHS}
    if not any(usable.values()):
        return {}

    def file_value(path: str) -> int | None:
        if not usable[path]:
            return None
        in_file = [s for s in found[path] if s.kind in (VARIABLE, EXTRA_ARG, KUBESPRAY_DEFAULT)]
        if not in_file:
            return None
        value = in_file[-1].value  # a repeated key: the kubelet's lenient decoding keeps the last
        return 0 if value is None else int(value)

    flag = [s for s in found[running.UPDATE] if s.kind == KUBELET_FLAG and usable[running.UPDATE]]
    runs = running.kubelet_runs(file_value, int(flag[-1].value) if flag else None, version)
    inherits = runs.explain(running.REPORT).startswith("inherits") and not flag
    if usable[running.UPDATE]:
        values[running.UPDATE] = runs.node_status_update_frequency
    if usable[running.LEASE]:
        values[running.LEASE] = runs.node_lease_duration_seconds
    if usable[running.REPORT] and usable[running.UPDATE]:
        # None keeps "inherits the update frequency" visible; with a flag the file's value is kept
        values[running.REPORT] = None if inherits else runs.node_status_report_frequency
    how = {p: text for p, text in runs.how if usable.get(p, True)}
    if flag:
        how[running.UPDATE] = f"{flag[-1].name}, over the configuration file"
        if runs.explain(running.REPORT).startswith("inherits"):
            how[running.REPORT] = (
                "inherits the file's nodeStatusUpdateFrequency; the kubelet flag does not move it"
            )
    return how


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
