"""Helpers shared by the line-oriented formats."""

from __future__ import annotations

import re

from node_timing.findings import Finding

# C0/C1 control characters other than newline and tab: a value quoted in a message must not
# move the cursor or recolour the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    """A message on one line: its lines joined by spaces."""
    return " ".join(part.strip() for part in printable(text).splitlines() if part.strip())


def position(finding: Finding) -> str:
    """``path:line:col``; 0 means unknown, and a known line gets at least column 1."""
    column = finding.column or (1 if finding.line else 0)
    return f"{finding.path}:{finding.line}:{column}"


def host_list(hosts: tuple[str, ...], limit: int = 5) -> str:
    """``a, b, c, d, e and 7 more``: a long host list would drown the message."""
    shown = ", ".join(hosts[:limit])
    rest = len(hosts) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
