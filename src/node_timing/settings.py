"""The one Settings shape: kubelet, controller-manager and apiserver timing, grouped by component.

Durations are integer nanoseconds internally and Go duration strings in every output; integers
stay integers. ``kubelet.node_status_report_frequency`` may be ``None``: the kubelet then derives
it (it inherits an explicit update frequency), which is what a stock kubespray kubelet does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any

from node_timing import durations, knowledge
from node_timing.display import brief
from node_timing.knowledge import KubeVersion


class SettingError(ValueError):
    """A setting name or value that is not acceptable."""


@dataclass(frozen=True)
class KubeletSettings:
    node_status_update_frequency: int
    node_status_report_frequency: int | None
    node_lease_duration_seconds: int
    http2_read_idle_timeout_seconds: int
    http2_ping_timeout_seconds: int

    @property
    def renew_interval(self) -> int:
        """R: how often the kubelet renews its Lease, in nanoseconds."""
        fraction = knowledge.constraint("lease_renew_fraction")
        return int(self.node_lease_duration_seconds * durations.SECOND * fraction)

    @property
    def effective_report_interval(self) -> int:
        """S: the report frequency, or the update frequency when it inherits it or is shorter."""
        report = self.node_status_report_frequency
        if report is None or report < self.node_status_update_frequency:
            return self.node_status_update_frequency
        return report

    @property
    def heartbeat_interval(self) -> int:
        """H = min(R, S): the node health signal the controller sees (node_lifecycle_controller.go)."""
        return min(self.renew_interval, self.effective_report_interval)


@dataclass(frozen=True)
class ControllerManagerSettings:
    node_monitor_period: int
    node_monitor_grace_period: int
    node_startup_grace_period: int
    node_eviction_rate: float
    secondary_node_eviction_rate: float
    large_cluster_size_threshold: int
    unhealthy_zone_threshold: float


@dataclass(frozen=True)
class ApiserverSettings:
    default_not_ready_toleration_seconds: int
    default_unreachable_toleration_seconds: int


@dataclass(frozen=True)
class Settings:
    kubelet: KubeletSettings
    controller_manager: ControllerManagerSettings
    apiserver: ApiserverSettings

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The Settings shape (``component.setting`` keys, snake_case of the upstream names) with Go
        duration strings; ``None`` report frequency stays ``None``."""
        out: dict[str, dict[str, Any]] = {}
        for component in COMPONENTS:
            group = getattr(self, component)
            values: dict[str, Any] = {}
            for f in fields(group):
                values[f.name] = to_output(f"{component}.{f.name}", getattr(group, f.name))
            out[component] = values
        return out

    def get(self, path: str) -> Any:
        component, name = split_path(path)
        return getattr(getattr(self, component), name)

    def with_values(self, values: dict[str, Any]) -> Settings:
        """A copy with ``{"component.setting": parsed value}`` applied."""
        groups = _by_component(values)
        return Settings(
            kubelet=replace(self.kubelet, **groups["kubelet"]),
            controller_manager=replace(self.controller_manager, **groups["controller_manager"]),
            apiserver=replace(self.apiserver, **groups["apiserver"]),
        )


COMPONENTS = ("kubelet", "controller_manager", "apiserver")
_GROUP_TYPES = {
    "kubelet": KubeletSettings,
    "controller_manager": ControllerManagerSettings,
    "apiserver": ApiserverSettings,
}


def setting_paths() -> list[str]:
    """Every ``component.setting`` path, in the Settings order."""
    return [f"{c}.{f.name}" for c in COMPONENTS for f in fields(_GROUP_TYPES[c])]


_FIELD_NAMES = {c: frozenset(f.name for f in fields(t)) for c, t in _GROUP_TYPES.items()}


def split_path(path: str) -> tuple[str, str]:
    component, _, name = path.partition(".")
    if component not in _FIELD_NAMES or name not in _FIELD_NAMES[component]:
        known = ", ".join(setting_paths())
        raise SettingError(f"unknown setting {path!r}; known settings: {known}")
    return component, name


def kind_of(path: str) -> str:
    kind: str = knowledge.setting_fact(path)["kind"]
    return kind


def parse_value(path: str, value: object, *, writing: bool = False) -> Any:
    """Parse a user value for ``path``: Go duration → ns, integer, or float. Raises SettingError.

    ``writing``: a value node-timing is asked to write (``--set``); it never writes a negative
    alias of another value. Otherwise what an inventory may hold, ``--set`` may too: what lint only
    warns about (a zone threshold outside (0, 1]) is written, and ``profile`` / ``render`` warn."""
    split_path(path)
    kind = kind_of(path)
    fact = knowledge.setting_fact(path)
    if kind == "duration":
        if path == "kubelet.node_status_report_frequency" and value in (None, "", "inherit"):
            return None
        if isinstance(value, bool) or not isinstance(value, str):
            raise SettingError(
                f"{path} must be a Go duration string like 10s or 1m0s, got {brief(value)}"
            )
        try:
            ns = durations.parse(value.strip())
        except durations.DurationError as exc:
            raise SettingError(f"{path}: {exc}") from None
        if ns < 0:
            raise SettingError(f"{path} must not be negative, got {brief(value)}")
        if path == "kubelet.node_status_report_frequency" and ns == 0:
            return None  # "0s" counts as unset (kubelet defaults.go)
        if ns == 0 and fact.get("positive"):
            # nothing upstream refuses it: the component starts and misbehaves (data: zero)
            raise SettingError(f"{path} is 0 ({value!r}): {fact['zero']['effect']}")
        return ns
    if kind == "integer":
        number = _as_int(value)
        if number is None:
            raise SettingError(f"{path} must be a whole number, got {brief(value)}")
        negative = fact.get("negative")
        if negative is not None and number < 0:
            if writing:  # node-timing writes the value it means, never a negative alias
                raise SettingError(f"{path} must be at least 0, got {brief(value)}")
            return int(negative["means"])  # upstream treats it as this value (data: negative)
        minimum = fact.get("minimum")
        if minimum is not None and number < minimum:
            raise SettingError(f"{path} must be at least {minimum}, got {brief(value)}")
        maximum = INTEGER_MAXIMUM[path]
        if number > maximum:
            raise SettingError(
                f"{path} must be at most {maximum} (the component stores it in "
                f"{'32' if maximum == _INT32_MAX else '64'} bits), got {brief(value)}"
            )
        return number
    try:
        number_f = _as_float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise SettingError(f"{path} is too large for a number, got {brief(value)}") from None
    if number_f is None:
        raise SettingError(f"{path} must be a number, got {brief(value)}")
    if not math.isfinite(number_f) or abs(number_f) > _FLOAT32_MAX:
        # NaN and infinity would pass every comparison a check makes (or fail them all) and would
        # be written as `nan`/`inf` flags and as JSON no parser reads; Kubernetes keeps these
        # settings in float32.
        raise SettingError(f"{path} must be a finite number, got {brief(value)}")
    low, low_open, high = FLOAT_RANGE[path]
    if number_f < low or (low_open and number_f == low) or (high is not None and number_f > high):
        shown = (
            f"{'(' if low_open else '['}{low:g}, {f'{high:g}]' if high is not None else '∞)'}"
            if low > -_FLOAT32_MAX
            else f"(-∞, {high:g}]"
        )
        raise SettingError(f"{path} must be in {shown}, got {brief(value)}")
    return number_f


_INT32_MAX = (1 << 31) - 1
_INT64_MAX = (1 << 63) - 1
_FLOAT32_MAX = 3.4028234663852886e38

# The Go type each integer setting is kept in: a larger value is refused by the component (or
# wraps), so it is refused here. KubeletConfiguration.NodeLeaseDurationSeconds and
# NodeLifecycleControllerConfiguration.LargeClusterSizeThreshold are int32; the apiserver's
# toleration flags are int64; client-go reads the HTTP/2 variables with strconv.Atoi (int).
INTEGER_MAXIMUM: dict[str, int] = {
    "kubelet.node_lease_duration_seconds": _INT32_MAX,
    "kubelet.http2_read_idle_timeout_seconds": _INT64_MAX,
    "kubelet.http2_ping_timeout_seconds": _INT64_MAX,
    "controller_manager.large_cluster_size_threshold": _INT32_MAX,
    "apiserver.default_not_ready_toleration_seconds": _INT64_MAX,
    "apiserver.default_unreachable_toleration_seconds": _INT64_MAX,
}

# (lowest, lowest excluded, highest or None) of each float setting. Eviction rates are nodes per
# second: negative has no meaning (0 stops evictions, which the eviction-rate rule reports). The
# unhealthy-zone threshold is a fraction of a zone's nodes; kube-controller-manager accepts any
# float there, and one above 1 only never matches: the eviction-rate rule warns, nothing refuses it.
FLOAT_RANGE: dict[str, tuple[float, bool, float | None]] = {
    "controller_manager.node_eviction_rate": (0.0, False, None),
    "controller_manager.secondary_node_eviction_rate": (0.0, False, None),
    # any finite number runs (nothing validates it); outside (0, 1] is a policy (eviction-rate)
    "controller_manager.unhealthy_zone_threshold": (-_FLOAT32_MAX, False, None),
}


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        s = value.strip()
        digits = s.lstrip("+-")
        if digits.isdigit() and s.isascii():
            # Python refuses to parse more than 4,300 digits; any number past 20 digits is
            # beyond every integer setting's maximum, so its size stands for it.
            return int(s) if len(digits) <= 20 else (-1 if s.startswith("-") else 1) << 64
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii():  # float() also reads fullwidth and Arabic-Indic digits
            return None
        try:
            return float(text)
        except ValueError:
            return None
    return None


def to_output(path: str, value: Any) -> Any:
    """A setting value as it appears in output: Go durations as strings, numbers as numbers."""
    if value is None:
        return None
    if kind_of(path) == "duration":
        return durations.format(value)
    return value


def to_text(path: str, value: Any) -> str:
    """A setting value as a command-line flag or kubeadm extraArgs string.

    Durations Go-normalised (``50s``), integers plain (``300``: tolerations take no unit), floats
    in the shortest spelling that reads back to the same number (``0.1``, ``0.55``, ``1``).
    """
    out = to_output(path, value)
    if out is None:
        raise SettingError(f"{path} has no value to write")
    if isinstance(out, float):
        return str(int(out)) if out.is_integer() else repr(out)
    return str(out)


def defaults(version: KubeVersion) -> Settings:
    """Kubernetes' own defaults at ``version``, with the report frequency written out explicitly."""
    return _defaults(version.key())


@cache
def _defaults(minor: tuple[int, int]) -> Settings:
    # The facts depend on the minor only; Settings is frozen, so one instance serves every caller.
    version = knowledge.KubeVersion(*minor)
    values = {
        path: parse_value(path, knowledge.default_for(path, version)) for path in setting_paths()
    }
    return from_flat(values)


def _by_component(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"component.setting": v}`` as ``{component: {setting: v}}`` (every component present)."""
    groups: dict[str, dict[str, Any]] = {c: {} for c in COMPONENTS}
    for path, value in values.items():
        component, name = split_path(path)
        groups[component][name] = value
    return groups


def from_flat(values: Mapping[str, Any]) -> Settings:
    """Settings from parsed values of every setting, keyed ``"component.setting"``."""
    groups = _by_component(values)
    return Settings(
        kubelet=KubeletSettings(**groups["kubelet"]),
        controller_manager=ControllerManagerSettings(**groups["controller_manager"]),
        apiserver=ApiserverSettings(**groups["apiserver"]),
    )


def from_dict(data: dict[str, Any], base: Settings) -> Settings:
    """Settings from the shape ``to_dict`` writes, missing keys from ``base``."""
    values: dict[str, Any] = {}
    for component, group in data.items():
        if not isinstance(group, dict):
            raise SettingError(
                f"settings.{component} must be a mapping, got {type(group).__name__}"
            )
        for name, value in group.items():
            path = f"{component}.{name}"
            values[path] = parse_value(path, value)
    return base.with_values(values)
