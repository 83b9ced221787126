"""The default format, for people: findings by file, then a summary line like ansible-lint's."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from node_timing.config import exit_code
from node_timing.findings import Finding
from node_timing.formats import Summary, ordered
from node_timing.formats._text import host_list, position, printable
from node_timing.rules import RuleInfo

_RESET = "\x1b[0m"
_STYLE = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[33m",
    "info": "\x1b[36m",
    "path": "\x1b[1m",
    "rule": "\x1b[35m",
    "dim": "\x1b[2m",
    "passed": "\x1b[1;32m",
    "failed": "\x1b[1;31m",
}


def format_findings(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    *,
    color: bool = False,
    summary: Summary | None = None,
) -> str:
    def paint(style: str, text: str) -> str:
        return f"{_STYLE[style]}{text}{_RESET}" if color else text

    summary = summary or {}
    blocks = []
    for _, group in groupby(ordered(findings), key=lambda f: f.path):
        lines = []
        for f in group:
            lines.append(paint("path", printable(position(f))))
            message = printable(f.message)
            lines.append(f"  {paint(f.severity, f.severity)} {paint('rule', f.rule)}: {message}")
            if f.hosts:
                lines.append(paint("dim", f"  hosts: {printable(host_list(f.hosts))}"))
            if f.inventory is not None:
                lines.append(paint("dim", f"  inventory: {printable(f.inventory)}"))
        blocks.append("\n".join(lines))

    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    infos = sum(f.severity == "info" for f in findings)
    failed = exit_code(findings, summary.get("strict", False)) != 0
    line = f"{errors} failure(s), {warnings} warning(s)"
    if infos:
        line += f", {infos} info"
    if "hosts" in summary:
        line += f" on {summary['hosts']} host{'' if summary['hosts'] == 1 else 's'}"
    status = paint("failed", "Failed:") if failed else paint("passed", "Passed:")
    if "verdict" in summary:
        status = paint("failed" if failed else "dim", summary["verdict"])
    blocks.append(f"{status} {line}")
    return "\n\n".join(blocks) + "\n"
