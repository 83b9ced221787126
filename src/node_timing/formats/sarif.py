"""SARIF 2.1.0, the format GitHub code scanning (and other SAST dashboards) upload.

Relative finding paths are written relative to ``%SRCROOT%`` (the directory the run started in, or
``summary["root"]``), which GitHub resolves against the checkout.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from node_timing import __version__
from node_timing.config import base_id
from node_timing.findings import Finding
from node_timing.formats import Summary, fingerprints, ordered
from node_timing.formats._text import host_list
from node_timing.formats._text import message as said
from node_timing.rules import RuleInfo
from node_timing.serialize import to_json

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "node-timing"
# No project home page is published yet; the tool is described by its rules' documentation.
INFORMATION_URI: str | None = None
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"
TAGS = ["kubernetes", "reliability"]


def _first_paragraph(doc: str) -> str:
    """The first paragraph of a markdown doc that is not a heading."""
    for block in doc.split("\n\n"):
        text = " ".join(line.strip() for line in block.splitlines()).strip()
        if text and not text.startswith("#"):
            return text
    return ""


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _first_paragraph(rule.doc) or rule.summary},
        "help": {"text": rule.doc or rule.summary, "markdown": rule.doc or rule.summary},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": TAGS},
    }
    if rule.help_uri:
        descriptor["helpUri"] = rule.help_uri
    return descriptor


def _quote(path: str) -> str:
    """``path`` percent-encoded as the bytes of the file name.

    A byte that is not UTF-8 (a lone surrogate from ``surrogateescape``) is encoded as itself,
    ``%FF``: the URI still names the file on disk, where the text formats can only show ``\\xff``.
    """
    try:
        data = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name decodes to: keep it, never crash
        data = path.encode("utf-8", "surrogatepass")
    return quote(data)


def _file_uri(p: Path) -> str:
    try:
        return p.as_uri()
    except UnicodeEncodeError:
        return "file://" + _quote(p.as_posix())


def _artifact(path: str) -> dict[str, Any]:
    p = Path(path)
    if p.is_absolute():
        return {"uri": _file_uri(p)}
    return {"uri": _quote(PurePosixPath(*p.parts).as_posix()), "uriBaseId": SRCROOT}


def _result(f: Finding, index: int, fingerprint: str) -> dict[str, Any]:
    message = said(f)
    if f.hosts:
        message += f"\nhosts: {host_list(f.hosts)}"
    # GitHub wants a region on every result: a finding with no line is pinned to the first one.
    region: dict[str, Any] = {"startLine": max(f.line, 1)}
    if f.line and f.column:
        region["startColumn"] = f.column
    result: dict[str, Any] = {
        "ruleId": base_id(f.rule),
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": message},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact(f.path), "region": region}}
        ],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
    }
    if f.hosts:
        result["properties"] = {"hosts": list(f.hosts)}
    if f.rule != result["ruleId"]:
        result.setdefault("properties", {})["tag"] = f.rule
    return result


def format_findings(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    *,
    color: bool = False,
    summary: Summary | None = None,
) -> str:
    known = list(rules)
    index = {r.id: i for i, r in enumerate(known)}
    items = ordered(findings)
    for f in items:
        rule_id = base_id(f.rule)
        if rule_id not in index:
            # A rule outside the catalogue still needs a descriptor for ruleIndex to point at.
            index[rule_id] = len(known)
            known.append(RuleInfo(rule_id, f.severity, rule_id, ""))
    root = Path(os.path.abspath((summary or {}).get("root") or os.curdir))
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_descriptor(r) for r in known],
    }
    if INFORMATION_URI:
        driver["informationUri"] = INFORMATION_URI
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {SRCROOT: {"uri": _file_uri(root).rstrip("/") + "/"}},
                "results": [
                    _result(f, index[base_id(f.rule)], fp)
                    for f, fp in zip(items, fingerprints(items), strict=True)
                ],
            }
        ],
    }
    return to_json(log)
