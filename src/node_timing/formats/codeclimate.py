"""Code Climate issues (a JSON array), which GitLab reads as a Code Quality report.

Severity as in ansible-lint: error → major, warning → minor, info → info.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from node_timing.config import base_id
from node_timing.findings import Finding
from node_timing.formats import Summary, fingerprints, ordered
from node_timing.formats._text import host_list
from node_timing.formats._text import message as said
from node_timing.rules import RuleInfo
from node_timing.serialize import to_json

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
# Code Climate allows only a fixed set of categories; a timing setting that can flap or
# evict nodes is a risk of misbehaviour, whichever rule found it.
CATEGORIES = ["Bug Risk"]


def _issue(f: Finding, fingerprint: str, help_uri: str | None) -> dict[str, Any]:
    description = said(f)
    if f.hosts:
        description += f" (hosts: {host_list(f.hosts)})"
    line = max(f.line, 1)
    location: dict[str, Any] = {"path": f.path}
    if f.column:
        location["positions"] = {"begin": {"line": line, "column": f.column}}
    else:
        location["lines"] = {"begin": line}
    issue: dict[str, Any] = {
        "type": "issue",
        "check_name": f.rule,
        "categories": CATEGORIES,
        "severity": SEVERITY[f.severity],
        "description": description,
        "fingerprint": fingerprint,
        "location": location,
    }
    if help_uri:
        issue["url"] = help_uri
    return issue


def format_findings(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    *,
    color: bool = False,
    summary: Summary | None = None,
) -> str:
    uris = {r.id: r.help_uri for r in rules}
    items = ordered(findings)
    return to_json(
        [
            _issue(f, fp, uris.get(base_id(f.rule)))
            for f, fp in zip(items, fingerprints(items), strict=True)
        ]
    )
