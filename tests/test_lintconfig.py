"""``.node-timing.yml``: discovery, validation, silencing (noqa, skip/warn lists), exit codes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from node_timing.config import (
    CONFIG_NAME,
    ConfigError,
    LintConfig,
    apply_silencing,
    discover,
    exit_code,
    find_config,
    load_config,
    matches,
)
from node_timing.errors import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, UsageError
from node_timing.findings import Finding

KNOWN = {"yaml-load", "grace-vs-heartbeat", "removed-setting"}

GRACE = Finding(
    "grace-vs-heartbeat", "error", "grace 15s < 2 heartbeats", "group_vars/all.yml", 3, 1
)
FLAG = Finding(
    "removed-setting[flag]", "error", "pod-eviction-timeout removed", "group_vars/all.yml", 9
)
VAR = Finding(
    "removed-setting[variable]", "warning", "ignored by kubespray", "group_vars/all.yml", 10
)
NOTE = Finding("unresolved-value", "info", "cannot resolve {{ x }}", "group_vars/all.yml", 11)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- discovery --------------------------------------------------------------------------------


def test_config_is_found_upward_from_the_inventory(tmp_path: Path) -> None:
    config = write(tmp_path / "repo" / CONFIG_NAME, "skip_list: [yaml-load]\n")
    (tmp_path / "repo" / ".git").mkdir()
    inventory = tmp_path / "repo" / "inventory" / "prod"
    inventory.mkdir(parents=True)
    assert find_config(inventory) == config.resolve()
    hosts = write(inventory / "hosts.yml", "all: {}\n")
    assert find_config(hosts) == config.resolve()
    assert discover(inventory, KNOWN) == LintConfig(path=config.resolve(), skip_list=("yaml-load",))


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "skip_list: [yaml-load]\n")
    near = write(tmp_path / "inventory" / CONFIG_NAME, "warn_list: [yaml-load]\n")
    assert find_config(tmp_path / "inventory") == near.resolve()


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_NAME, "skip_list: [yaml-load]\n")  # above the repository: not ours
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    inventory = tmp_path / "repo" / "inventory"
    inventory.mkdir()
    assert find_config(inventory) is None
    assert discover(inventory, KNOWN) == LintConfig()


def test_a_git_file_marks_a_root_too(tmp_path: Path) -> None:
    # worktrees and submodules have a .git file, not a directory
    write(tmp_path / CONFIG_NAME, "{}\n")
    write(tmp_path / "wt" / ".git", "gitdir: /elsewhere\n")
    assert find_config(tmp_path / "wt") is None


# --- loading and validation -------------------------------------------------------------------


def test_full_config(tmp_path: Path) -> None:
    path = write(
        tmp_path / CONFIG_NAME,
        "skip_list:\n  - yaml-load\nwarn_list:\n  - removed-setting[flag]\n"
        "kube_version: v1.31.2\nnodes: 300\nheartbeat_budget: 250\n",
    )
    assert load_config(path, KNOWN) == LintConfig(
        path=path,
        skip_list=("yaml-load",),
        warn_list=("removed-setting[flag]",),
        kube_version="v1.31.2",
        nodes=300,
        heartbeat_budget=250.0,
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_config_is_the_default(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / CONFIG_NAME, text)
    assert load_config(path, KNOWN) == LintConfig(path=path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skip_lst: [yaml-load]\n", "unknown key(s) 'skip_lst'; known keys: skip_list, warn_list"),
        ("- yaml-load\n", "must be a mapping"),
        ("skip_list: yaml-load\n", "skip_list must be a list of rule ids, got 'yaml-load'"),
        ("skip_list: [1]\n", "skip_list must be a list of rule ids"),
        (
            "warn_list: [no-such-rule, yaml-load]\n",
            "warn_list names unknown rule(s) 'no-such-rule';",
        ),
        ("warn_list:\n  - nope[sub]\n", "unknown rule(s) 'nope[sub]'"),
        ("kube_version: 1.30\n", "kube_version must be a Kubernetes version string"),
        ("kube_version: latest\n", "kube_version: cannot parse Kubernetes version 'latest'"),
        ("kube_version: '1.10'\n", "outside the known facts"),
        ("nodes: 0\n", "nodes must be a whole number of nodes (> 0, at most 1,000,000), got 0"),
        ("nodes: true\n", "nodes must be"),
        ("nodes: '3'\n", "nodes must be"),
        ("heartbeat_budget: -1\n", "heartbeat_budget must be"),
        ("heartbeat_budget: .inf\n", "heartbeat_budget must be"),
        ("heartbeat_budget: '500'\n", "heartbeat_budget must be"),
    ],
)
def test_bad_config_is_one_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / CONFIG_NAME, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, KNOWN)
    # file:line: message, the line of the offending value
    assert re.match(rf"{re.escape(str(path))}:[0-9]+: ", str(info.value))
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, UsageError) and info.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("skip_list: [yaml-load\nnodes: 3\n", 2, "invalid YAML"),
        ("nodes: 3\nskip_list: []\nnodes: 4\n", 3, "repeated key 'nodes'"),
        ("nodes: [\n", 2, "invalid YAML"),
    ],
)
def test_broken_yaml_names_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path / CONFIG_NAME, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path, KNOWN)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert info.value.line == line


def test_unreadable_config(tmp_path: Path) -> None:
    path = write(tmp_path / CONFIG_NAME, "")
    path.write_bytes(b"\xff\xfe nodes")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_config(path, KNOWN)


# --- silencing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "patterns", "expected"),
    [
        ("removed-setting[flag]", ["removed-setting"], True),
        ("removed-setting[flag]", ["removed-setting[flag]"], True),
        ("removed-setting[flag]", ["removed-setting[variable]"], False),
        ("removed-setting", ["removed-setting[flag]"], False),
        ("removed-setting", ["removed"], False),
        ("removed-settings", ["removed-setting"], False),
        ("yaml-load", ["*"], True),
        ("yaml-load", [], False),
    ],
)
def test_matches(rule: str, patterns: list[str], expected: bool) -> None:
    assert matches(rule, patterns) is expected


def test_noqa_on_the_value_line_silences_that_finding_only() -> None:
    silenced = replace(GRACE, extra={"noqa": frozenset({"grace-vs-heartbeat"})})
    other = replace(FLAG, extra={"noqa": frozenset({"grace-vs-heartbeat"})})
    assert apply_silencing([silenced, other], LintConfig()) == [other]


def test_noqa_without_sub_tag_and_star() -> None:
    base = replace(FLAG, extra={"noqa": frozenset({"removed-setting"})})
    star = replace(GRACE, extra={"noqa": frozenset({"*"})})
    assert apply_silencing([base, star, NOTE], LintConfig()) == [NOTE]


def test_noqa_lookup_can_be_supplied() -> None:
    def lookup(finding: Finding) -> frozenset[str]:
        return frozenset({"yaml-load"}) if finding.line == 3 else frozenset()

    assert apply_silencing([replace(GRACE, rule="yaml-load"), FLAG], LintConfig(), lookup) == [FLAG]


def test_skip_list_drops_and_warn_list_demotes() -> None:
    config = LintConfig(skip_list=("removed-setting[variable]",), warn_list=("removed-setting",))
    kept = apply_silencing([GRACE, FLAG, VAR, NOTE], config)
    assert [(f.rule, f.severity) for f in kept] == [
        ("grace-vs-heartbeat", "error"),
        ("removed-setting[flag]", "warning"),
        ("unresolved-value", "info"),
    ]
    assert kept[1] == replace(FLAG, severity="warning")


def test_skip_list_wins_over_warn_list() -> None:
    config = LintConfig(skip_list=("grace-vs-heartbeat",), warn_list=("grace-vs-heartbeat",))
    assert apply_silencing([GRACE], config) == []


def test_warn_list_never_promotes_info() -> None:
    config = LintConfig(warn_list=("unresolved-value",))
    assert apply_silencing([NOTE], config) == [NOTE]


# --- exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "strict", "code"),
    [
        ([], False, EXIT_OK),
        ([], True, EXIT_OK),
        ([NOTE], True, EXIT_OK),
        ([VAR], False, EXIT_OK),
        ([VAR], True, EXIT_FAILURES),
        ([GRACE, VAR], False, EXIT_FAILURES),
    ],
)
def test_exit_code(findings: list[Finding], strict: bool, code: int) -> None:
    assert exit_code(findings, strict) == code


def test_warn_listed_errors_pass_unless_strict() -> None:
    kept = apply_silencing([GRACE], LintConfig(warn_list=("grace-vs-heartbeat",)))
    assert exit_code(kept) == EXIT_OK
    assert exit_code(kept, strict=True) == EXIT_FAILURES


# --- limits and schema --------------------------------------------------------------------------


def test_schema_follows_the_code() -> None:
    from node_timing import jsonschemas, profiles
    from node_timing.config import CONFIG_KEYS

    props = jsonschemas.load("lint-config")["properties"]
    assert list(props) == list(CONFIG_KEYS)
    assert props["nodes"]["maximum"] == profiles.MAX_NODES


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("skip_list: [yaml-load]\nnodes: 1e400\n", 2, "nodes must be"),
        ("kube_version: '1.35'\n\nwarn_list:\n  - yaml-load\n  - 7\n", 5, "warn_list must be"),
        ("nodes: 3\nbogus: 1\n", 2, "unknown key(s) 'bogus'"),
        ("heartbeat_budget: .nan\n", 1, "heartbeat_budget must be"),
        (
            "nodes: 0\nheartbeat_budget: -1\nskip_list: 3\n",
            1,
            "nodes must be a whole number of nodes (> 0, at most 1,000,000), got 0 (and 2 more",
        ),
    ],
)
def test_schema_problems_name_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path / CONFIG_NAME, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, KNOWN)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skip_list: " + "[" * 150 + "]" * 150 + "\n", "nested deeper than 100 levels"),
        ("skip_list: &a [*a]\n", "recursive document"),
        ("$ANSIBLE_VAULT;1.1;AES256\n6162\n", "encrypted with Ansible Vault"),
    ],
)
def test_config_is_read_under_the_inventory_limits(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / CONFIG_NAME, text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, KNOWN)


def test_a_fifo_config_is_found_and_refused_unopened(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / CONFIG_NAME)  # opening it would block: the test would hang
    (tmp_path / ".git").mkdir()
    with pytest.raises(ConfigError, match="not a regular file"):
        discover(tmp_path, KNOWN)
