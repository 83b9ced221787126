"""Small helpers the rules share: message fragments and value lookups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from node_timing import durations, kubespray
from node_timing.evaluate.host_timing import HostTiming
from node_timing.evaluate.sources import (
    Source,
    key_location,
    key_noqa,
    plain,
    value_location,
    value_noqa,
)
from node_timing.findings import Location
from node_timing.settings import SettingError, kind_of, parse_value

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext


def secs(ns: float | int) -> str:
    """A duration in nanoseconds as Go prints it (``50s``, ``1m0s``)."""
    return durations.format(int(ns))


def where_set(path: str) -> str:
    """The variable (or dict key) an operator edits to change ``path``."""
    var = kubespray.variable_for(path)
    if var:
        return var
    found = kubespray.extra_arg_for(path)
    if found:
        return f"{found[0]}.{found[1]}"
    return path


def dict_entries(
    timing: HostTiming, dict_name: str
) -> Iterator[tuple[str, Any, Location, frozenset[str]]]:
    """(key, value, location, noqa) of each key of an extra-args dict, if it is a mapping."""
    holder = timing.variables.get(dict_name)
    if holder is None:
        return
    content = plain(holder)
    if not isinstance(content, dict):
        return
    fallback = value_location(holder, Location("."))
    for key, value in content.items():
        yield str(key), value, key_location(holder, str(key), fallback), key_noqa(holder, str(key))


def variable_position(
    timing: HostTiming, name: str, fallback: Location
) -> tuple[Location, frozenset[str]]:
    v = timing.variables[name]
    return value_location(v, fallback), value_noqa(v)


def winner(timing: HostTiming, path: str) -> Source:
    return timing.effective[path]


def parsed(path: str, raw: Any) -> Any:
    """``raw`` parsed as setting ``path``, or a value equal to nothing when it does not parse: two
    values compare equal only when both parse to the same setting."""
    try:
        return parse_value(path, raw if not (kind_of(path) == "duration" and raw == 0) else "0")
    except SettingError:
        return object()


def component_hosts(ctx: LintContext, group: HostTiming, component: str) -> list[str]:
    """The hosts of ``group`` that run ``component``: a controller or apiserver setting concerns
    only the control plane, even when the file that holds it applies to every host. Every host
    when the context knows no control plane (one host's variables, as the role checks them)."""
    if component == "kubelet" or not ctx.control_plane_groups:
        return list(group.hosts)
    plane = ctx.control_plane_hosts
    return [h for h in group.hosts if h in plane]


def component_of(name: str) -> str:
    """The component that reads setting path or extra-args dict ``name`` (``kubelet`` when
    neither names one)."""
    head = name.partition(".")[0]
    if head in ("kubelet", "controller_manager", "apiserver"):
        return head
    fact = kubespray.extra_args().get(head)
    if fact is not None:
        return str(fact["component"])
    var = kubespray.variables().get(head)
    if var is not None:
        return str(var["setting"]).partition(".")[0]
    return "kubelet"


def chosen(ctx: LintContext, name: str) -> str:
    """Where threshold ``name`` comes from, for a message: the file that configures it, or that
    it is node-timing's default choice."""
    if ctx.thresholds.is_configured(name):
        return str(ctx.thresholds.where(name))
    return f"node-timing's choice, threshold {name}"


def set_edit(name: str, value: Any) -> tuple[str, str, str | None, Any]:
    """The suggestion (a finding's ``extra["suggest"]`` edit) that sets ``name`` to ``value``:
    a variable, a ``dict.key``, or a setting path (set where an operator edits it: its
    first-class variable, else its extra-args key). A value that runs from a source must be
    changed there: name that source (``Source.name``), not the setting."""
    where = (
        where_set(name)
        if name.partition(".")[0] in ("kubelet", "controller_manager", "apiserver")
        else name
    )
    var, _, key = where.partition(".")
    return ("set", var, key or None, value)
