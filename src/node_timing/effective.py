"""Effective settings per host: what kubespray renders from a host's variables (data/kubespray.yml).

For every timing setting this module finds where its value comes from: a first-class kubespray
variable, a key of an extra-args dict, or kubespray's role default (or Kubernetes' default where
kubespray writes nothing). Each source keeps its file, line and column, its ``# noqa`` ids, and
whether its value could be parsed, was templated or is vault-encrypted. Rules read these records;
they never look at raw variables for settings themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from node_timing import durations, knowledge, kubespray
from node_timing.brief import brief, cut
from node_timing.evaluate import running
from node_timing.evaluate.resolution import CustomFlags, Resolution
from node_timing.findings import Location
from node_timing.knowledge import KubeVersion
from node_timing.settings import (
    ApiserverSettings,
    ControllerManagerSettings,
    KubeletSettings,
    SettingError,
    Settings,
    defaults,
    kind_of,
    parse_value,
)
from node_timing.templating import Unresolved, resolve

# Where a value comes from.
VARIABLE = "variable"
EXTRA_ARG = "extra-arg"
KUBESPRAY_DEFAULT = "kubespray-default"
K8S_DEFAULT = "kubernetes-default"
NODE_TIMING_VAR = "node-timing-var"
KUBELET_FLAG = "kubelet-flag"  # a flag in kubelet_custom_flags: wins over the config file

# Settings that only the role can set (environment of the kubelet): their inventory variables.
NODE_TIMING_VARIABLES = {
    "node_timing_http2_read_idle_timeout_seconds": "kubelet.http2_read_idle_timeout_seconds",
    "node_timing_http2_ping_timeout_seconds": "kubelet.http2_ping_timeout_seconds",
}


@dataclass(frozen=True)
class Source:
    """One place that sets (or would set) a setting, and what it says."""

    setting: str
    kind: str  # VARIABLE, EXTRA_ARG, KUBESPRAY_DEFAULT, K8S_DEFAULT, NODE_TIMING_VAR, KUBELET_FLAG
    name: str  # the variable, or "dict.key"; the default's variable name for KUBESPRAY_DEFAULT
    raw: Any
    location: Location
    noqa: frozenset[str] = frozenset()
    value: Any = None  # parsed (ns, int, float, or None for an inheriting report frequency)
    problem: str | None = None  # why ``raw`` is not a valid value for the setting
    unresolved: str | None = None  # why ``raw`` could not be known (template, vault)

    @property
    def usable(self) -> bool:
        return self.problem is None and self.unresolved is None

    @property
    def from_default(self) -> bool:
        return self.kind in (KUBESPRAY_DEFAULT, K8S_DEFAULT)

    @property
    def written(self) -> str:
        """How the user wrote it, for messages."""
        if self.kind == KUBELET_FLAG:
            return f"{self.name}: {brief(self.raw)}"
        return (
            f"{self.name}: {brief(self.raw)}"
            if self.kind != EXTRA_ARG
            else f"{self.name}={brief(self.raw)}"
        )


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


def value_location(value: Any, fallback: Location) -> Location:
    """The position a loader Value records, or the fallback for defaults."""
    path = getattr(value, "path", None)
    if not path:
        return fallback
    return Location(
        str(path), int(getattr(value, "line", 0) or 0), int(getattr(value, "column", 0) or 0)
    )


def key_location(value: Any, key: str, fallback: Location) -> Location:
    base = value_location(value, fallback)
    positions = getattr(value, "key_positions", None) or {}
    pos = positions.get(key)
    if pos:
        return Location(base.path, int(pos[0]), int(pos[1]))
    return base


def value_noqa(value: Any) -> frozenset[str]:
    return frozenset(getattr(value, "noqa", None) or ())


def key_noqa(value: Any, key: str) -> frozenset[str]:
    per_key = getattr(value, "key_noqa", None) or {}
    return frozenset(per_key.get(key, ())) | value_noqa(value)


def plain(value: Any) -> Any:
    """The plain Python value of a loader Value (or the value itself)."""
    return getattr(value, "value", value)


def is_vault(raw: Any) -> bool:
    return bool(getattr(raw, "is_vault", False)) or type(raw).__name__.lower().startswith("vault")


def _parse_source(
    setting: str,
    kind: str,
    name: str,
    raw: Any,
    location: Location,
    noqa: frozenset[str],
    context: Mapping[str, Any],
) -> Source:
    if is_vault(raw):
        return Source(
            setting,
            kind,
            name,
            "<vault>",
            location,
            noqa,
            unresolved="encrypted with Ansible Vault (not decrypted)",
        )
    resolved = raw
    if isinstance(raw, str) and ("{{" in raw or "{%" in raw):
        result = resolve(raw, context)
        if isinstance(result, Unresolved):
            return Source(setting, kind, name, raw, location, noqa, unresolved=result.reason)
        resolved = result
    problem, parsed = _checked(setting, kind, name, resolved)
    if problem:
        return Source(setting, kind, name, resolved, location, noqa, problem=problem)
    return Source(setting, kind, name, resolved, location, noqa, value=parsed)


_CHECKED: dict[tuple[Any, ...], tuple[str | None, Any]] = {}


def _checked(setting: str, kind: str, name: str, raw: Any) -> tuple[str | None, Any]:
    """(problem, parsed value) of ``raw`` for ``setting``: the same for every host that shares it.

    Scalars are remembered (a host_vars file per host repeats the same few values); the type is
    part of the key so that ``1`` and ``True`` or ``"1"`` stay apart.
    """
    key = (setting, kind, name, type(raw), raw) if isinstance(raw, str | int | float) else None
    if key is not None:
        got = _CHECKED.get(key)
        if got is not None:
            return got
    problem = format_problem(setting, kind, name, raw)
    parsed = None
    if not problem and kind in (VARIABLE, EXTRA_ARG) and _kubelet_zero(setting, raw):
        parsed = 0  # 0 in the kubelet's file means unset: SetDefaults_KubeletConfiguration fills it
    elif not problem:
        try:
            parsed = parse_value(setting, _for_parse(setting, raw))
        except SettingError as exc:
            problem = str(exc)
    if key is not None:
        _CHECKED[key] = (problem, parsed)
    return problem, parsed


_KUBELET_FILE_ZERO = ("kubelet.node_status_update_frequency", "kubelet.node_lease_duration_seconds")


def _kubelet_zero(setting: str, raw: Any) -> bool:
    """Whether ``raw`` is the zero value of a kubelet file field the kubelet defaults when zero."""
    if setting not in _KUBELET_FILE_ZERO or isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        return raw == 0
    if not isinstance(raw, str) or len(raw) > 40:
        return False
    text = raw.strip()
    if setting == "kubelet.node_lease_duration_seconds":
        return text.isascii() and text.isdigit() and int(text) == 0
    try:
        return durations.parse(text) == 0
    except durations.DurationError:
        return False


def _for_parse(setting: str, raw: Any) -> Any:
    if (
        kind_of(setting) == "duration"
        and isinstance(raw, int)
        and not isinstance(raw, bool)
        and raw == 0
    ):
        return "0"
    return raw


def format_problem(setting: str, kind: str, name: str, raw: Any) -> str | None:
    """Why a value cannot be rendered for ``setting`` (None when it can); the text a rule shows."""
    k = kind_of(setting)
    in_kubelet_config = setting.startswith("kubelet.") and kind in (VARIABLE, EXTRA_ARG)
    if k == "duration":
        if isinstance(raw, bool) or raw is None or isinstance(raw, dict | list):
            return f"{name} must be a Go duration such as 10s or 1m0s, got {brief(raw)}"
        if isinstance(raw, int | float):
            if in_kubelet_config:
                return (
                    f"{name} is the bare number {brief(raw)}; the kubelet's configuration file needs a "
                    f'duration string such as "{_guess_seconds(raw)}"'
                )
            if raw != 0:
                return f'{name} is the bare number {brief(raw)}; Go durations need a unit, e.g. "{_guess_seconds(raw)}"'
            return None
        try:
            ns = durations.parse(str(raw).strip())
        except durations.DurationError as exc:
            hint = ""
            text = str(raw).strip()
            if text.endswith("d") and text[:-1].isdigit() and len(text) < 20:  # int64 days
                hint = f'; Go has no d unit, write "{int(text[:-1]) * 24}h"'
            return f"{name} = {brief(raw)} is not a Go duration ({exc}){hint}"
        if ns < 0:
            return f"{name} = {brief(raw)} is negative"
        return None
    if k == "integer" and setting in (
        "kubelet.node_lease_duration_seconds",
        "apiserver.default_not_ready_toleration_seconds",
        "apiserver.default_unreachable_toleration_seconds",
    ):
        if (
            setting == "kubelet.node_lease_duration_seconds"
            and kind == EXTRA_ARG
            and isinstance(raw, str)
            and raw.strip().isdigit()
        ):
            return f"{name} is the string {brief(raw)}; the kubelet's configuration file needs the integer {cut(raw.strip())}"
        if isinstance(raw, bool) or not (
            (isinstance(raw, int) and raw >= 0)
            or (isinstance(raw, str) and raw.strip().isdigit() and raw.isascii())
        ):
            return f"{name} must be a plain number of seconds such as 300, got {brief(raw)}"
        return None
    return None


def _guess_seconds(raw: int | float) -> str:
    """The duration a bare number of seconds probably meant, for a hint; an ordinary example when
    no Go duration can hold it (negative, infinite, NaN, beyond 292 years)."""
    if not 0 <= raw <= durations.MAX_SECONDS:  # also false for NaN
        return "10s"
    return durations.format(durations.from_seconds(raw))


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
            resolved = running.resolve_control_plane(path, upstream, found, plain_vars, version)
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
    settings = Settings(
        kubelet=KubeletSettings(**_group(values, "kubelet")),
        controller_manager=ControllerManagerSettings(**_group(values, "controller_manager")),
        apiserver=ApiserverSettings(**_group(values, "apiserver")),
    )
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
    if not all(s.usable for p in _KUBELET_PATHS for s in found[p]):
        return {}

    def file_value(path: str) -> int | None:
        in_file = [s for s in found[path] if s.kind in (VARIABLE, EXTRA_ARG, KUBESPRAY_DEFAULT)]
        if not in_file:
            return None
        value = in_file[-1].value  # a repeated key: the kubelet's lenient decoding keeps the last
        return 0 if value is None else int(value)

    flag = [s for s in found[running.UPDATE] if s.kind == KUBELET_FLAG]
    runs = running.kubelet_runs(file_value, int(flag[-1].value) if flag else None, version)
    inherits = runs.explain(running.REPORT).startswith("inherits") and not flag
    values[running.UPDATE] = runs.node_status_update_frequency
    values[running.LEASE] = runs.node_lease_duration_seconds
    # None keeps "inherits the update frequency" visible; with a flag the file's value is kept
    values[running.REPORT] = None if inherits else runs.node_status_report_frequency
    return dict(runs.how)


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


def _group(values: Mapping[str, Any], component: str) -> dict[str, Any]:
    prefix = component + "."
    return {path[len(prefix) :]: value for path, value in values.items() if path.startswith(prefix)}


def settings_usable(timing: HostTiming, *paths: str) -> bool:
    """True when every named setting has a known, valid value (else the rule skips)."""
    return all(timing.effective[p].usable for p in paths)
