"""Where each timing value comes from: the sources of a setting and whether their values are valid.

A source is a first-class kubespray variable, a key of an extra-args dict, kubespray's role default
or Kubernetes' default. Each keeps its file, line and column, its ``# noqa`` ids, and whether its
value could be parsed, was templated or is vault-encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from node_timing import durations
from node_timing.display import brief, cut, typed
from node_timing.findings import Location
from node_timing.settings import SettingError, kind_of, parse_value
from node_timing.templating import Unresolved, is_templated, resolve

# Where a value comes from.
VARIABLE = "variable"
EXTRA_ARG = "extra-arg"
KUBESPRAY_DEFAULT = "kubespray-default"
K8S_DEFAULT = "kubernetes-default"
NODE_TIMING_VAR = "node-timing-var"
KUBELET_FLAG = "kubelet-flag"  # a flag in kubelet_custom_flags: wins over the config file


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
    if is_templated(raw):
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
        if isinstance(raw, bool) or raw is None or not isinstance(raw, str | int | float):
            return f"{name} must be a Go duration such as 10s or 1m0s, got {typed(raw)}"
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
            if text.endswith("d") and text[:-1].isdigit() and text.isascii() and len(text) < 20:
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
            and raw.isascii()
        ):
            return f"{name} is the string {brief(raw)}; the kubelet's configuration file needs the integer {cut(raw.strip())}"
        # a toleration is an int64: a negative one is valid and evicts at once (toleration-zero)
        signed = setting != "kubelet.node_lease_duration_seconds"
        if isinstance(raw, bool) or not (
            (isinstance(raw, int) and (raw >= 0 or signed))
            or (isinstance(raw, str) and _plain_integer(raw.strip(), signed) and raw.isascii())
        ):
            return f"{name} must be a plain number of seconds such as 300, got {typed(raw)}"
        return None
    return None


def _plain_integer(text: str, signed: bool) -> bool:
    return (text.removeprefix("-") if signed else text).isdigit()


def _guess_seconds(raw: int | float) -> str:
    """The duration a bare number of seconds probably meant, for a hint; an ordinary example when
    no Go duration can hold it (negative, infinite, NaN, beyond 292 years)."""
    if not 0 <= raw <= durations.MAX_SECONDS:  # also false for NaN
        return "10s"
    return durations.format(durations.from_seconds(raw))
