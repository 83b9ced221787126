"""A JSON array of findings (``Finding.to_dict``), for scripts."""

from __future__ import annotations

from collections.abc import Sequence

from node_timing.findings import Finding
from node_timing.formats import Summary, ordered
from node_timing.rules import RuleInfo
from node_timing.serialize import to_json


def format_findings(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    *,
    color: bool = False,
    summary: Summary | None = None,
) -> str:
    return to_json([f.to_dict() for f in ordered(findings)])
