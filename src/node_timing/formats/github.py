"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

Escaping follows the runner's rules (actions/toolkit ``command.ts``): in the message ``%``, CR
and LF; in property values also ``:`` and ``,``. Before that, every field quoted from the
inventory goes through ``printable`` like in the other line formats, keeping CR and LF for the
runner's encoding: the runner decodes them into the annotation, while ESC, NUL and the other
control characters, which it would pass on raw, are shown as escapes.
"""

from __future__ import annotations

from collections.abc import Sequence

from node_timing.findings import Finding
from node_timing.formats import Summary, ordered
from node_timing.formats._text import host_list, printable
from node_timing.formats._text import message as said
from node_timing.rules import RuleInfo

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(f: Finding) -> str:
    props = [f"file={escape_property(printable(f.path, keep_line_ends=True))}"]
    if f.line:
        props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
    props.append(f"title={escape_property(printable(f.rule, keep_line_ends=True))}")
    message = printable(said(f), keep_line_ends=True)
    if f.hosts:
        message += f"\nhosts: {printable(host_list(f.hosts), keep_line_ends=True)}"
    return f"::{COMMAND[f.severity]} {','.join(props)}::{escape_data(message)}\n"


def format_findings(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    *,
    color: bool = False,
    summary: Summary | None = None,
) -> str:
    return "".join(_annotation(f) for f in ordered(findings))
