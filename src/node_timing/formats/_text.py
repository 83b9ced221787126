"""Helpers shared by the line-oriented formats.

What a finding quotes from the inventory (message, path, host names) goes through
``output.printable`` there, so a finding stays on the lines the format gives it.
"""

from __future__ import annotations

from node_timing.display import printable
from node_timing.findings import Finding

__all__ = ["host_list", "message", "position", "printable"]


def position(finding: Finding) -> str:
    """``path:line:col``; 0 means unknown, and a known line gets at least column 1.

    The path starts the line in these formats. GitHub's runner takes a line for a command when it
    starts with ``::`` after leading spaces, so a relative path that starts with ``:`` or a space
    (a file so named in the working directory) is written ``./path``: the same file.
    """
    column = finding.column or (1 if finding.line else 0)
    path = finding.path
    if path[:1] == ":" or path[:1].isspace():
        path = "./" + path
    return f"{path}:{finding.line}:{column}"


def host_list(hosts: tuple[str, ...], limit: int = 5) -> str:
    """``a, b, c, d, e and 7 more``: a long host list would drown the message."""
    shown = ", ".join(hosts[:limit])
    rest = len(hosts) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def message(finding: Finding) -> str:
    """The message, naming its inventory when several were linted at once."""
    if finding.inventory is None:
        return finding.message
    return f"{finding.message} (inventory {finding.inventory})"
