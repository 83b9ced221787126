"""Every output format on the same findings: unicode, commas, newlines and unknown lines."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from node_timing.findings import Finding
from node_timing.formats import (
    FORMATS,
    choose_format,
    codeclimate,
    fingerprints,
    get_formatter,
    github,
    pep8,
    sarif,
    text,
    use_color,
)
from node_timing.formats import json as json_format
from node_timing.rules import RuleInfo

DATA = Path(__file__).parent / "data"
# Formatters know nothing about particular rules: two catalogue entries are enough to test them.
RULES = [
    RuleInfo(
        "yaml-load",
        "error",
        "a file cannot be read or parsed",
        "yaml-load: a file cannot be parsed.\n\nMore.",
    ),
    RuleInfo(
        "grace-vs-heartbeat",
        "error",
        "the grace period is shorter than 5 heartbeats",
        "The node monitor grace period must span several kubelet heartbeats.\n\n## Why\n\nBecause.",
    ),
]

GRACE = Finding(
    rule="grace-vs-heartbeat",
    severity="error",
    message="node-monitor-grace-period 15s is 1.5 heartbeats of 10s: at least 2 needed, 5 advised",
    path="group_vars/k8s_cluster/k8s-cluster.yml",
    line=12,
    column=44,
    hosts=tuple(f"node{i}" for i in range(1, 13)),
    setting="controller_manager.node_monitor_grace_period",
)
WARN = Finding(
    rule="grace-vs-heartbeat",
    severity="warning",
    message="grace 30s, heartbeat 10s: 3 heartbeats, 5 advised; nœud «ü», 100% sure\nsecond line",
    path="host_vars/nœud-1.yml",
    line=3,
    column=1,
    hosts=("nœud-1",),
    setting="controller_manager.node_monitor_grace_period",
)
BROKEN = Finding(
    rule="yaml-load",
    severity="error",
    message="cannot read file: permission denied",
    path="inventory.ini",
)
INFO = Finding(
    rule="unresolved-value",
    severity="info",
    message="{{ my_grace }} cannot be resolved, grace checks skipped",
    path="group_vars/all.yml",
    line=7,
)
FINDINGS = [WARN, GRACE, BROKEN, INFO]


def render(name: str, findings: list[Finding] = FINDINGS, **kwargs: Any) -> str:
    return get_formatter(name)(findings, RULES, **kwargs)


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_renders_no_findings(name: str) -> None:
    out = render(name, [])
    assert out.endswith("\n") or out == ""


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_is_deterministic_whatever_the_input_order(name: str) -> None:
    assert render(name, FINDINGS, summary={"root": "/src"}) == render(
        name, FINDINGS[::-1], summary={"root": "/src"}
    )


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        get_formatter("xml")


# --- text -------------------------------------------------------------------------------------


def test_text_groups_by_file_abbreviates_hosts_and_summarises() -> None:
    out = text.format_findings(FINDINGS, RULES, summary={"hosts": 12})
    assert out == (
        "group_vars/all.yml:7:1\n"
        "  info unresolved-value: {{ my_grace }} cannot be resolved, grace checks skipped\n"
        "\n"
        "group_vars/k8s_cluster/k8s-cluster.yml:12:44\n"
        "  error grace-vs-heartbeat: node-monitor-grace-period 15s is 1.5 heartbeats of 10s: "
        "at least 2 needed, 5 advised\n"
        "  hosts: node1, node2, node3, node4, node5 and 7 more\n"
        "\n"
        "host_vars/nœud-1.yml:3:1\n"
        "  warning grace-vs-heartbeat: grace 30s, heartbeat 10s: 3 heartbeats, 5 advised; "
        "nœud «ü», 100% sure\\nsecond line\n"
        "  hosts: nœud-1\n"
        "\n"
        "inventory.ini:0:0\n"
        "  error yaml-load: cannot read file: permission denied\n"
        "\n"
        "Failed: 2 failure(s), 1 warning(s), 1 info on 12 hosts\n"
    )


def test_text_passes_with_warnings_unless_strict() -> None:
    assert text.format_findings([WARN], RULES).endswith("\nPassed: 0 failure(s), 1 warning(s)\n")
    strict = text.format_findings([WARN], RULES, summary={"strict": True})
    assert strict.endswith("\nFailed: 0 failure(s), 1 warning(s)\n")
    assert text.format_findings([], RULES, summary={"hosts": 1}) == (
        "Passed: 0 failure(s), 0 warning(s) on 1 host\n"
    )


def test_text_colour_only_when_asked_and_control_characters_are_neutralised() -> None:
    evil = Finding("yaml-load", "error", "bad value '\x1b[2J'", "a.yml", 1, 1)
    plain = text.format_findings([evil], RULES)
    assert "\x1b" not in plain
    assert "bad value '\\x1b[2J'" in plain
    coloured = text.format_findings([evil], RULES, color=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b[2J" not in coloured


@pytest.mark.parametrize(
    ("isatty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),
        (True, {"TERM": "dumb"}, False),
    ],
)
def test_use_color(isatty: bool, env: dict[str, str], expected: bool) -> None:
    assert use_color(isatty, env) is expected


@pytest.mark.parametrize(
    ("requested", "env", "expected"),
    [
        (None, {}, "text"),
        (None, {"GITHUB_ACTIONS": "true"}, "github"),
        ("sarif", {"GITHUB_ACTIONS": "true"}, "sarif"),
        (None, {"GITHUB_ACTIONS": "false"}, "text"),
    ],
)
def test_choose_format(requested: str | None, env: dict[str, str], expected: str) -> None:
    assert choose_format(requested, env) == expected


# --- pep8 -------------------------------------------------------------------------------------


def test_pep8_one_line_per_finding() -> None:
    assert pep8.format_findings(FINDINGS, RULES).splitlines() == [
        "group_vars/all.yml:7:1: unresolved-value: {{ my_grace }} cannot be resolved, grace checks "
        "skipped",
        "group_vars/k8s_cluster/k8s-cluster.yml:12:44: grace-vs-heartbeat: "
        "node-monitor-grace-period 15s is 1.5 heartbeats of 10s: at least 2 needed, 5 advised",
        "host_vars/nœud-1.yml:3:1: grace-vs-heartbeat: grace 30s, heartbeat 10s: 3 heartbeats, "
        "5 advised; nœud «ü», 100% sure\\nsecond line",
        "inventory.ini:0:0: yaml-load: cannot read file: permission denied",
    ]


# --- json -------------------------------------------------------------------------------------


def test_json_is_the_findings_as_dicts() -> None:
    data = json.loads(json_format.format_findings(FINDINGS, RULES))
    assert data[2] == {
        "rule": "grace-vs-heartbeat",
        "severity": "warning",
        "message": WARN.message,
        "path": "host_vars/nœud-1.yml",
        "line": 3,
        "column": 1,
        "hosts": ["nœud-1"],
        "setting": "controller_manager.node_monitor_grace_period",
    }
    assert [d["severity"] for d in data] == ["info", "error", "warning", "error"]
    assert all(
        {"rule", "severity", "message", "path", "line", "column", "hosts"} <= d.keys() for d in data
    )
    assert "nœud" in json_format.format_findings(FINDINGS, RULES)  # not \u-escaped


# --- codeclimate ------------------------------------------------------------------------------


def test_codeclimate_issues() -> None:
    issues = json.loads(codeclimate.format_findings(FINDINGS, RULES))
    grace = issues[1]
    assert grace == {
        "type": "issue",
        "check_name": "grace-vs-heartbeat",
        "categories": ["Bug Risk"],
        "severity": "major",
        "description": GRACE.message + " (hosts: node1, node2, node3, node4, node5 and 7 more)",
        "fingerprint": grace["fingerprint"],
        "location": {
            "path": "group_vars/k8s_cluster/k8s-cluster.yml",
            "positions": {"begin": {"line": 12, "column": 44}},
        },
    }
    assert [i["severity"] for i in issues] == ["info", "major", "minor", "major"]
    # GitLab needs a line even for a file-level finding.
    assert issues[3]["location"] == {"path": "inventory.ini", "lines": {"begin": 1}}
    assert issues[0]["location"] == {"path": "group_vars/all.yml", "lines": {"begin": 7}}


def test_fingerprints_are_stable_and_distinct() -> None:
    first = fingerprints(FINDINGS)
    assert len(set(first)) == len(first)
    assert all(len(fp) == 64 and int(fp, 16) >= 0 for fp in first)
    # Rewording the message or moving the value keeps the issue's identity.
    assert fingerprints([replace(GRACE, message="reworded", line=40)]) == fingerprints([GRACE])
    # Other hosts, another file or another rule make another issue.
    for other in ({"hosts": ("node1",)}, {"path": "x.yml"}, {"rule": "yaml-load"}):
        assert fingerprints([replace(GRACE, **other)]) != fingerprints([GRACE])
    # Two findings with the same key in one report are still told apart.
    twins = fingerprints([BROKEN, BROKEN])
    assert twins[0] != twins[1]
    assert twins[0] == fingerprints([BROKEN])[0]


def test_codeclimate_carries_the_rule_help_uri_when_there_is_one() -> None:
    rules = [replace(r, help_uri=f"https://example.test/{r.id}") for r in RULES]
    issues = json.loads(codeclimate.format_findings([BROKEN], rules))
    assert issues[0]["url"] == "https://example.test/yaml-load"


# --- sarif ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    return schema


def test_sarif_is_valid_sarif_2_1_0(sarif_schema: dict[str, Any]) -> None:
    for findings in ([], FINDINGS):
        log = json.loads(
            sarif.format_findings(findings, RULES, summary={"root": "/repo/inventory"})
        )
        validator = jsonschema.Draft4Validator(
            sarif_schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
        )
        errors = sorted(validator.iter_errors(log), key=str)
        assert not errors, "\n".join(e.message for e in errors)
    # The schema is in force: a result without a message is refused.
    del log["runs"][0]["results"][0]["message"]
    assert not validator.is_valid(log)


def test_sarif_has_what_github_code_scanning_reads() -> None:
    log = json.loads(sarif.format_findings(FINDINGS, RULES, summary={"root": "/repo/inventory"}))
    assert log["version"] == "2.1.0"
    assert log["$schema"]
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "node-timing"
    assert driver["version"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/inventory/"}}
    ids = [r["id"] for r in driver["rules"]]
    # catalogue order, then the rule the catalogue does not know
    assert ids == ["yaml-load", "grace-vs-heartbeat", "unresolved-value"]
    grace_rule = driver["rules"][1]
    assert grace_rule["shortDescription"]["text"] == RULES[1].summary
    assert grace_rule["fullDescription"]["text"].startswith("The node monitor grace period")
    assert grace_rule["help"]["markdown"] == RULES[1].doc
    assert grace_rule["defaultConfiguration"] == {"level": "error"}
    assert grace_rule["properties"]["tags"]

    results = run["results"]
    assert [r["level"] for r in results] == ["note", "error", "warning", "error"]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["partialFingerprints"]["primaryLocationLineHash"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    grace = results[1]
    assert grace["message"]["text"].startswith(GRACE.message)
    assert grace["locations"][0]["physicalLocation"] == {
        "artifactLocation": {
            "uri": "group_vars/k8s_cluster/k8s-cluster.yml",
            "uriBaseId": "%SRCROOT%",
        },
        "region": {"startLine": 12, "startColumn": 44},
    }
    assert grace["properties"]["hosts"] == list(GRACE.hosts)
    unicode_path = results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert unicode_path == "host_vars/n%C5%93ud-1.yml"
    assert results[3]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_sarif_keeps_the_sub_tag_and_points_to_the_base_rule() -> None:
    tagged = Finding("yaml-load[duplicate-key]", "error", "repeated key", "a.yml", 2, 1)
    result = json.loads(sarif.format_findings([tagged], RULES, summary={"root": "/r"}))["runs"][0][
        "results"
    ][0]
    assert result["ruleId"] == "yaml-load"
    assert result["ruleIndex"] == 0
    assert result["properties"]["tag"] == "yaml-load[duplicate-key]"


def test_sarif_absolute_paths_become_file_uris() -> None:
    f = Finding("yaml-load", "error", "x", "/etc/ansible/hosts", 1, 1)
    log = json.loads(sarif.format_findings([f], RULES, summary={"root": "/r"}))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///etc/ansible/hosts"}


# --- github -----------------------------------------------------------------------------------


def test_github_annotations() -> None:
    assert github.format_findings(FINDINGS, RULES).splitlines() == [
        "::notice file=group_vars/all.yml,line=7,title=unresolved-value::"
        "{{ my_grace }} cannot be resolved, grace checks skipped",
        "::error file=group_vars/k8s_cluster/k8s-cluster.yml,line=12,col=44,"
        "title=grace-vs-heartbeat::" + GRACE.message + "%0Ahosts: node1, node2, node3, node4, "
        "node5 and 7 more",
        "::warning file=host_vars/nœud-1.yml,line=3,col=1,title=grace-vs-heartbeat::"
        "grace 30s, heartbeat 10s: 3 heartbeats, 5 advised; nœud «ü», 100%25 sure%0Asecond line"
        "%0Ahosts: nœud-1",
        "::error file=inventory.ini,title=yaml-load::cannot read file: permission denied",
    ]


def test_github_escapes_properties() -> None:
    f = Finding("yaml-load", "error", "a\r\nb%", "dir,with:odd%\nname.yml", 1, 2)
    assert github.format_findings([f], RULES) == (
        "::error file=dir%2Cwith%3Aodd%25%0Aname.yml,line=1,col=2,title=yaml-load::a%0D%0Ab%25\n"
    )
    assert github.escape_property("a:b,c") == "a%3Ab%2Cc"
    assert github.escape_data("a:b,c") == "a:b,c"
