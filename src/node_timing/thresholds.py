"""The rules' thresholds: their defaults and origins (``thresholds:`` in data/kubernetes.yml) and the
values a ``.node-timing.yml`` sets for the ones that are a choice.

A threshold whose origin is ``upstream`` is what Kubernetes does, not a choice, so it cannot be
configured. The others (kubespray's guide, node-timing's own) can, within the type and bounds the
data gives each. A lint reads them through its context (``LintContext.threshold``), never through a
global, so two lints with two configurations in one process do not see each other's values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from node_timing import knowledge
from node_timing.display import brief, display_path

# How close a mistyped threshold name must be to a known one to be suggested (as unknown-setting).
CUTOFF = 0.6


@dataclass(frozen=True)
class Threshold:
    """One threshold as data/kubernetes.yml records it."""

    name: str
    value: int | float
    unit: str
    origin: str
    meaning: str
    source: str
    type: str  # "integer" or "number"
    minimum: int | float | None = None
    exclusive_minimum: int | float | None = None
    maximum: int | float | None = None
    at_most: str | None = None  # another threshold this one may not exceed

    @property
    def rule(self) -> str:
        return self.name.partition(".")[0]

    @property
    def configurable(self) -> bool:
        return self.origin != "upstream"

    def domain(self) -> str:
        """What a configured value must be, for messages and the docs: ``an integer from 1 to 1000``."""
        kind = "an integer" if self.type == "integer" else "a number"
        if self.exclusive_minimum is not None:
            low = f"above {self.exclusive_minimum:g}"
        else:
            low = f"from {self.minimum:g}"
        high = f"up to {self.maximum:g}" if low.startswith("above") else f"to {self.maximum:g}"
        return f"{kind} {low} {high}"

    def problem(self, value: object) -> str | None:
        """Why ``value`` cannot be this threshold (None when it can): type and bounds only."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be {self.domain()}, got {brief(value)}"
        if self.type == "integer" and not isinstance(value, int):
            return f"must be {self.domain()}, got {brief(value)}"
        # NaN passes every comparison below, infinity every upper bound a rule would use
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be {self.domain()}, got {brief(value)}"
        if self.minimum is not None and value < self.minimum:
            return f"must be {self.domain()}, got {brief(value)}"
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            return f"must be {self.domain()}, got {brief(value)}"
        if self.maximum is not None and value > self.maximum:
            return f"must be {self.domain()}, got {brief(value)}"
        return None


@cache
def facts() -> dict[str, Threshold]:
    """Every threshold of data/kubernetes.yml, by name, in the data's order."""
    out: dict[str, Threshold] = {}
    for name, fact in knowledge.kubernetes()["thresholds"].items():
        out[name] = Threshold(
            name=name,
            value=fact["value"],
            unit=fact["unit"],
            origin=fact["origin"],
            meaning=fact["meaning"],
            source=fact["source"],
            type=fact["type"],
            minimum=fact.get("minimum"),
            exclusive_minimum=fact.get("exclusiveMinimum"),
            maximum=fact.get("maximum"),
            at_most=fact.get("at_most"),
        )
    return out


def of_rule(rule_id: str) -> list[Threshold]:
    """The thresholds rule ``rule_id`` uses (named ``rule-id.level``)."""
    return [t for t in facts().values() if t.rule == rule_id]


def unknown_name(name: str) -> str:
    """The message for a name that is no threshold, with the nearest known name if one is close."""
    import difflib

    close = difflib.get_close_matches(name, list(facts()), n=1, cutoff=CUTOFF)
    hint = f"; did you mean {close[0]}?" if close else ""
    return (
        f"thresholds: unknown threshold {brief(name)}{hint} (`node-timing rules ID` lists a rule's "
        "thresholds)"
    )


@dataclass(frozen=True)
class Thresholds:
    """The thresholds one lint uses: the defaults, with the values a configuration file set.

    ``configured`` holds ``(name, value)`` pairs already validated (see ``config.load_config``);
    ``path`` is the file that set them, which the findings name.
    """

    configured: tuple[tuple[str, int | float], ...] = ()
    path: str | None = None

    def value(self, name: str) -> int | float:
        for key, value in self.configured:
            if key == name:
                return value
        return facts()[name].value

    def is_configured(self, name: str) -> bool:
        return any(key == name for key, _ in self.configured)

    @property
    def file(self) -> str:
        """The configuration file as a message shows it."""
        return display_path(self.path) if self.path else ".node-timing.yml"

    def where(self, name: str) -> str:
        """``NAME configured in FILE``: where a configured value was set, for a message."""
        return f"{name} configured in {self.file}"

    @classmethod
    def checked(
        cls, values: Mapping[str, Any], path: str | None
    ) -> tuple[Thresholds, str | None, str | None]:
        """The thresholds ``values`` configure, or the first problem: ``(thresholds, problem,
        name)``; ``name`` is the key the problem is about (for its line)."""
        known = facts()
        for name, value in values.items():
            fact = known.get(str(name))
            if fact is None:
                return cls(), unknown_name(str(name)), name
            if not fact.configurable:
                return (
                    cls(),
                    f"thresholds: {name} is not configurable: it is what Kubernetes does "
                    f"({fact.origin}), not a choice; silence its findings with skip_list instead",
                    name,
                )
            problem = fact.problem(value)
            if problem is not None:
                return cls(), f"thresholds: {name} {problem}", name
        result = cls(tuple((str(k), v) for k, v in values.items()), path)
        for name, fact in known.items():
            ceiling = fact.at_most
            if ceiling is None or (name not in values and ceiling not in values):
                continue
            low, high = result.value(name), result.value(ceiling)
            if low > high:
                # the levels nest (an error is also below the warning threshold); crossed, a
                # grace period between them would be an error the rule never reports
                said = [n for n in (name, ceiling) if n not in values]
                return (
                    cls(),
                    f"thresholds: {name} ({brief(low)}) may not exceed {ceiling} ({brief(high)})"
                    + (f"; {said[0]} is the default" if said else ""),
                    name if name in values else ceiling,
                )
        return result, None, None


def schema_properties() -> dict[str, dict[str, Any]]:
    """The ``thresholds`` properties of schemas/lint-config.json (a test compares)."""
    out: dict[str, dict[str, Any]] = {}
    for t in facts().values():
        if not t.configurable:
            continue
        entry: dict[str, Any] = {"type": t.type}
        bounds = (
            ("minimum", t.minimum),
            ("exclusiveMinimum", t.exclusive_minimum),
            ("maximum", t.maximum),
        )
        entry.update((key, bound) for key, bound in bounds if bound is not None)
        entry["default"] = t.value
        entry["description"] = f"{t.meaning} ({t.unit}; default {t.value:g}, {t.origin})."
        out[t.name] = entry
    return out


def table() -> str:
    """The Markdown table of every threshold (docs/thresholds.md holds it; a test compares)."""
    rows = [
        "| threshold | default | origin | configurable | meaning |",
        "|---|---|---|---|---|",
    ]
    for t in facts().values():
        configurable = t.domain() if t.configurable else "no (upstream)"
        rows.append(
            f"| `{t.name}` | {t.value:g} {t.unit} | {t.origin} | {configurable} | {t.meaning} |"
        )
    return "\n".join(rows) + "\n"
