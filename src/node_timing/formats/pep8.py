"""``path:line:col: rule-id: message``, one finding per line, for editors and problem matchers."""

from __future__ import annotations

from collections.abc import Sequence

from node_timing.findings import Finding
from node_timing.formats import Summary, ordered
from node_timing.formats._text import message, position, printable
from node_timing.rules import RuleInfo


def format_findings(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    *,
    color: bool = False,
    summary: Summary | None = None,
) -> str:
    return "".join(
        f"{printable(position(f))}: {f.rule}: {printable(message(f))}\n" for f in ordered(findings)
    )
