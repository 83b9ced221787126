"""Findings: what a rule reports. Plain records that formatters print without knowing any rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
# A rule creates its findings without a severity unless it overrides its default (the rule module's
# SEVERITY); the runner stamps that default on them before anything reads them. Typed as a Severity
# so that no reader of findings has to handle a value that never reaches it.
UNSET: Severity = cast(Severity, "")


@dataclass(frozen=True)
class Location:
    """Where a value was written: a file and a 1-based line and column (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    path: str
    line: int = 0
    column: int = 0
    hosts: tuple[str, ...] = ()
    # The setting or variable the finding is about, and whether its value is kubespray's default.
    setting: str | None = None
    from_default: bool = False
    fixable: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # With several inventories linted at once: the inventory the finding is about.
    inventory: str | None = None

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "hosts": list(self.hosts),
        }
        if self.setting is not None:
            data["setting"] = self.setting
        if self.from_default:
            data["from_default"] = True
        if self.inventory is not None:
            data["inventory"] = self.inventory
        suggest = self.extra.get("suggest")
        if suggest:
            # the edits the message suggests, machine-applicable (docs/advice.md)
            data["suggest"] = [
                {"action": action, "variable": var, "key": key, "value": value}
                for action, var, key, value in suggest
            ]
        return data

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)
