"""Output formats for ``node-timing lint``: one module per format, each with the same entry point.

``format_findings(findings, rules, *, color=False, summary=None) -> str``. A formatter prints
Finding records and rule metadata (RuleInfo); it knows nothing about any particular rule.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Mapping, Sequence
from typing import Protocol, TypedDict

from node_timing.findings import Finding
from node_timing.rules import RuleInfo

FORMATS: tuple[str, ...] = ("text", "pep8", "json", "codeclimate", "sarif", "github")
DEFAULT_FORMAT = "text"
# Formats whose output is one document a CI step uploads or parses: with nothing to lint they
# still print it, empty, since an empty file is no valid report (GitHub code scanning rejects it).
DOCUMENT_FORMATS: tuple[str, ...] = ("json", "codeclimate", "sarif")


class Summary(TypedDict, total=False):
    """What a formatter may be told about the run besides the findings."""

    hosts: int  # hosts checked, for the text summary line
    strict: bool  # --strict: warnings fail too
    root: str  # absolute directory that relative finding paths are relative to (SARIF %SRCROOT%)
    verdict: str  # replaces "Passed:"/"Failed:" where the findings are not the run's verdict (fix)


class Formatter(Protocol):
    def __call__(
        self,
        findings: Sequence[Finding],
        rules: Sequence[RuleInfo],
        *,
        color: bool = False,
        summary: Summary | None = None,
    ) -> str: ...


def get_formatter(name: str) -> Formatter:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}: expected one of {', '.join(FORMATS)}")
    formatter: Formatter = importlib.import_module(f"{__name__}.{name}").format_findings
    return formatter


def choose_format(requested: str | None, env: Mapping[str, str]) -> str:
    """The format asked for; else GitHub annotations inside GitHub Actions; else text."""
    if requested:
        return requested
    if env.get("GITHUB_ACTIONS") == "true":
        return "github"
    return DEFAULT_FORMAT


def use_color(isatty: bool, env: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set and not empty (no-color.org)."""
    if env.get("NO_COLOR"):
        return False
    return isatty and env.get("TERM") != "dumb"


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Findings by file, line, column, rule: the same input always prints the same output."""
    return sorted(findings, key=Finding.sort_key)


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A stable sha256 per finding, distinct within one report.

    The key is what identifies the problem, not where it is or how it is worded: rule, file,
    setting (else line and column) and hosts. Editing the message or moving the value to another
    line keeps the fingerprint, so code-quality tools track one issue across commits. Findings
    whose keys coincide are told apart by their order of appearance.
    """
    seen: dict[str, int] = {}
    result = []
    for f in findings:
        where = f.setting if f.setting is not None else f"{f.line}:{f.column}"
        key = "\0".join((f.rule, f.path, where, ",".join(sorted(f.hosts))))
        if f.inventory is not None:  # one file read by several inventories linted at once
            key += f"\0{f.inventory}"
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:
            key += f"\0{n}"
        # surrogatepass: a file name with bytes that are not UTF-8 is hashed too, not a crash;
        # every other key gives the bytes (and fingerprint) plain UTF-8 gives.
        result.append(hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest())
    return result
