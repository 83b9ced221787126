"""Hostile host names, file names and values in every output, through the real command line.

A CI runner takes a line for a command by what it starts with (``::error``, ``##[error]``), and
a terminal runs escape sequences: whatever the inventory holds, each line of output must be one
the program wrote, and each machine-readable output one valid UTF-8 document.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import node_timing

DATA = Path(__file__).parent / "data"
GRACE = "kube_controller_node_monitor_grace_period"

# What a value, a file name or a host name may carry to forge a line of CI log or drive a terminal.
HOSTILE = ("a\nb", "%0A::error file=x::pwned", "##[error]boom", "\x1b[31mred", "::warning::x")
# How the line formats show them.
SHOWN = ("a\\nb", "%0A::error file=x::pwned", "##\\x5berror]boom", "\\x1b[31mred", "::warning::x")
# Host names cannot hold "[" (it starts an Ansible host range, refused as in ansible-core), so
# the host names use ESC without one and "##error" for the Azure-style prefix.
HOST_NAMES = ("a\nb", "%0A::error file=x::pwned", "esc\x1bcred\x07", "::warning::x", "x\r##error")
# Azure Pipelines runs a logging command found anywhere in a line, not only at its start.
AZURE = "##vso[task.setvariable variable=x]pwned"
UNDECODABLE = b"n\xff1.yml"
LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _hosts_yaml() -> str:
    hosts = {name: None for name in HOST_NAMES}
    groups = {
        "kube_control_plane": {"hosts": {"cp1": None}},
        "kube_node": {"hosts": hosts},
        "k8s_cluster": {"children": {"kube_control_plane": None, "kube_node": None}},
    }
    return json.dumps({"all": {"children": groups}})  # JSON is YAML, and escapes the names


def make_hostile(root: Path) -> Path:
    """An inventory whose host names, vars file names and values carry every hostile string."""
    inv = root / "inventory"
    (inv / "host_vars").mkdir(parents=True)
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "hosts.yaml").write_text(_hosts_yaml())
    for name in HOST_NAMES:  # a bad duration per host: findings with the host and its file
        value = {GRACE: "5s" + name, "kubelet_status_update_frequency": name}
        (inv / "host_vars" / f"{name}.yml").write_text(json.dumps(value) + "\n")
    for name in HOSTILE:  # broken YAML: a yaml-load finding whose path is the hostile name
        (inv / "group_vars" / "all" / f"{name}.yml").write_text("a: [\n")
    with open(os.fsencode(inv / "group_vars" / "all") + b"/" + UNDECODABLE, "wb") as fh:
        fh.write(b"a: [\n")
    values = {GRACE: "\r\n".join((*HOSTILE, AZURE)) + "\x00\x9b\u2028end"}
    (inv / "group_vars" / "k8s_cluster.yml").write_text(json.dumps(values) + "\n")
    return inv


class Out:
    def __init__(self, proc: subprocess.CompletedProcess[bytes]) -> None:
        self.code = proc.returncode
        self.raw = proc.stdout
        self.out = proc.stdout.decode("utf-8")  # strict: the output must be UTF-8
        self.err = proc.stderr.decode("utf-8")


def run(*args: str | bytes, cwd: Path) -> Out:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NODE_TIMING_DEBUG")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(node_timing.__file__).parent.parent), env.get("PYTHONPATH", "")]
    )
    proc = subprocess.run(
        [sys.executable, "-m", "node_timing", *args],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    return Out(proc)


def assert_lines_are_ours(text: str, pattern: str) -> list[str]:
    """Every line of ``text`` matches ``pattern`` and no line-breaking or escape character is
    left: a viewer that splits at CR, NEL or U+2028 sees the same lines as ``split("\\n")``."""
    assert "\x1b" not in text and "\x00" not in text
    assert "##[" not in text and "##vso[" not in text.lower()
    assert not [c for c in LINE_BREAKS if c in text]
    lines = text.split("\n")
    assert lines[-1] == "", "output ends with a line end"
    bad = [line for line in lines[:-1] if not re.match(pattern, line)]
    assert not bad, bad
    return lines[:-1]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    make_hostile(root)
    return root


@pytest.fixture(scope="module")
def findings(hostile: Path) -> list[dict[str, Any]]:
    r = run("lint", "inventory", "--format", "json", cwd=hostile)
    assert r.code == 2, r.err
    data: list[dict[str, Any]] = json.loads(r.out)
    return data


def test_the_hostile_strings_reach_the_findings(findings: list[dict[str, Any]]) -> None:
    """The other tests prove something only if the inventory's names and values are reported."""
    paths = {f["path"] for f in findings}
    for name in HOSTILE:
        assert f"inventory/group_vars/all/{name}.yml" in paths
    for name in HOST_NAMES:
        assert any(name in f["hosts"] for f in findings), name
    assert "inventory/group_vars/all/n\\xff1.yml" in paths  # the undecodable byte as \xNN
    # the value is quoted shortened (its head and tail), escapes and all
    assert any(
        "::error file=x::pwned" in f["message"] and "pwned\x00" in f["message"] for f in findings
    )


_PEP8 = r"inventory/.*:\d+:\d+: [a-z0-9-]+: \S"
_GITHUB = (
    r"::(error|warning|notice) file=inventory/[^,:]*(,line=\d+(,col=\d+)?)?,title=[a-z0-9-]+::"
)
_TEXT = r"(inventory/.*:\d+:\d+|  (error|warning|info) [a-z0-9-]+: |  hosts: |(Passed|Failed): |$)"


@pytest.mark.parametrize(
    ("name", "pattern"), [("pep8", _PEP8), ("github", _GITHUB), ("text", _TEXT)]
)
def test_line_formats_give_each_finding_its_own_lines(
    hostile: Path, findings: list[dict[str, Any]], name: str, pattern: str
) -> None:
    r = run("lint", "inventory", "--format", name, cwd=hostile)
    assert r.code == 2, r.err
    lines = assert_lines_are_ours(r.out, pattern)
    if name == "text":  # one location line per finding
        assert sum(bool(re.match(r"inventory/", line)) for line in lines) == len(findings)
    else:  # one line per finding
        assert len(lines) == len(findings)
    assert "a\\nb" in r.out or "a%0Ab" in r.out  # the values are shown, escaped


def test_github_encodes_every_field_by_the_runner_rules(hostile: Path) -> None:
    r = run("lint", "inventory", "--format", "github", cwd=hostile)
    # In a property ":" and "," are encoded too, so a file name cannot end the properties.
    assert "file=inventory/group_vars/all/%250A%3A%3Aerror file=x%3A%3Apwned.yml," in r.out
    assert "file=inventory/group_vars/all/a%0Ab.yml," in r.out
    assert "file=inventory/group_vars/all/%3A%3Awarning%3A%3Ax.yml," in r.out
    # In the message: %, CR and LF; ESC and NUL are shown as escapes, never sent raw.
    assert "a%0Ab%0D%0A%250A::error file=x::pwned%0D%0A##\\x5berro" in r.out  # quoted shortened
    assert "\\x00\\x9b\\u2028end" in r.out
    assert "hosts: " in r.out and "a%0Ab" in r.out and "esc\\x1bcred\\x07" in r.out


@pytest.mark.parametrize("name", ["pep8", "text"])
def test_a_path_that_starts_the_line_cannot_start_a_command(tmp_path: Path, name: str) -> None:
    """GitHub's runner reads ``::`` commands after leading spaces: a file named so in the
    working directory is written ``./::…``, the same file."""
    inv = tmp_path / "inventory"
    (inv / "group_vars").mkdir(parents=True)  # an inventory directory, whatever its files' names
    # Inventory sources with a repeated key: a yaml-load finding in each.
    (inv / "::error file=x::pwned.yml").write_text("all:\n  hosts:\n    n1:\n    n1:\n")
    (inv / " ::warning::x.yml").write_text("all:\n  hosts:\n    n2:\n    n2:\n")
    r = run("lint", ".", "--format", name, cwd=inv)
    assert r.code == 2, r.err
    assert "./::error file=x::pwned.yml:" in r.out and "./ ::warning::x.yml:" in r.out
    assert not [line for line in r.out.splitlines() if line.lstrip().startswith("::")]


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    return schema


def _valid_sarif(log: dict[str, Any], schema: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    ).validate(log)


@pytest.mark.parametrize("name", ["json", "codeclimate", "sarif"])
def test_machine_formats_are_valid_utf8_json(
    hostile: Path, sarif_schema: dict[str, Any], name: str
) -> None:
    r = run("lint", "inventory", "--format", name, cwd=hostile)
    assert r.code == 2, r.err
    data = json.loads(r.out)  # Out decoded it as strict UTF-8
    assert "\\udcff" not in r.out  # no lone surrogate written as a JSON escape either
    if name == "sarif":
        _valid_sarif(data, sarif_schema)
        uris = {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in data["runs"][0]["results"]
            for loc in result["locations"]
        }
        # The URI names the file's real bytes, so it still resolves to the file.
        assert "inventory/group_vars/all/n%FF1.yml" in uris
        assert "inventory/group_vars/all/a%0Ab.yml" in uris
    elif name == "codeclimate":
        paths = {issue["location"]["path"] for issue in data}
        assert "inventory/group_vars/all/n\\xff1.yml" in paths
        assert len({issue["fingerprint"] for issue in data}) == len(data)
    else:
        assert any(f["path"] == "inventory/group_vars/all/\x1b[31mred.yml" for f in data)


def test_explain_text_and_json(hostile: Path) -> None:
    text = run("explain", "inventory", cwd=hostile)
    assert text.code == 0, text.err
    assert_lines_are_ours(
        text.out,
        r"(Kubernetes \d|\d+ nodes, \d+ group|hosts: |  [a-z_]+\.[a-z0-9_]+ |  a dead node|  its pods|"
        r"  simulated \(seed \d+\): |model: |not in the eviction figure:|  - |$)",
    )
    assert "##\\x5berror]boom\\r\\n\\x1b[31mred" in text.out
    assert "esc\\x1bcred\\x07" in text.out
    data = run("explain", "inventory", "--format", "json", cwd=hostile)
    assert data.code == 0, data.err
    groups = json.loads(data.out)["groups"]
    assert any("a\nb" in g["hosts"] for g in groups)  # JSON keeps the names as they are


def test_explain_json_shows_values_json_has_no_type_for(tmp_path: Path) -> None:
    """A YAML date or !!binary value used to crash ``explain --format json``."""
    inv = tmp_path / "inventory"
    (inv / "group_vars").mkdir(parents=True)
    (inv / "inventory.ini").write_text("[kube_node]\nnode1\n")
    (inv / "group_vars" / "all.yml").write_text(
        f"{GRACE}: 2001-01-01\nkubelet_status_update_frequency: !!binary aGk=\n"
    )
    r = run("explain", "inventory", "--format", "json", cwd=tmp_path)
    assert r.code == 0, r.err
    settings = json.loads(r.out)["groups"][0]["settings"]
    assert settings["controller_manager.node_monitor_grace_period"]["value"] == "2001-01-01"
    assert settings["kubelet.node_status_update_frequency"]["value"] == "b'hi'"


# A vars file whose comment and value hold characters that Python's str.splitlines, a terminal or
# a CI runner takes for a line end or a command: the file has 3 lines (CRLF), so has its diff.
ODD_FILE = (
    "# top " + AZURE + "\r\n"
    "other_var: abc\x85 ::error file=x::pwned\u2028 ##[error]boom\r\n"
    "kube_apiserver_pod_eviction_unreachable_timeout_seconds: 30s\r\n"
)
# One repair per hostile file name: each file is edited, so each is named in the output.
REPAIRS = (
    "kube_apiserver_pod_eviction_not_ready_timeout_seconds: 30s\n",
    "kube_controller_pod_eviction_timeout: 5m\n",
    "kubelet_status_update_frequency: 10\n",
    "kubelet_config_extra_args:\n  nodeLeaseDurationSeconds: '40'\n",
    "kube_kubeadm_controller_extra_args:\n  pod-eviction-timeout: 30s\n",
)


def make_fixable(root: Path) -> Path:
    inv = root / "inventory"
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "inventory.ini").write_text("[kube_node]\nnode1\n")
    (inv / "group_vars" / "all" / "odd.yml").write_bytes(ODD_FILE.encode("utf-8"))
    for name, text in zip(HOSTILE, REPAIRS, strict=True):
        (inv / "group_vars" / "all" / f"z{name}.yml").write_text(text)
    return inv


def test_fix_diff_is_one_line_per_line_of_the_file(tmp_path: Path) -> None:
    make_fixable(tmp_path)
    r = run("fix", "inventory", "--diff", "--check", cwd=tmp_path)
    assert r.code == 2, r.err
    diff = r.out[: r.out.index("\ninventory/") + 1]  # then the findings that remain
    # CRLF ends the CRLF file's lines and is kept, so the diff still applies to that file.
    lines = assert_lines_are_ours(
        diff.replace("\r\n", "\n"), r"(--- a/inventory/|\+\+\+ b/inventory/|@@ |[ +-])"
    )
    odd = lines[lines.index("--- a/inventory/group_vars/all/odd.yml") :][:6]
    assert odd[2:] == [
        "@@ -1,3 +1,3 @@",
        " # top ##vso\\x5btask.setvariable variable=x]pwned",
        " other_var: abc\\x85 ::error file=x::pwned\\u2028 ##\\x5berror]boom",
        "-kube_apiserver_pod_eviction_unreachable_timeout_seconds: 30s",
    ]
    assert '+kube_apiserver_pod_eviction_unreachable_timeout_seconds: "30"\r\n' in r.out
    for shown in SHOWN:
        assert f"--- a/inventory/group_vars/all/z{shown}.yml\n" in r.out
    assert_lines_are_ours(
        r.err, r"would fix: inventory/group_vars/all/|node-timing: --check: \d+ files would change"
    )
    assert r.err.count("would fix: ") == len(HOSTILE) + 1


def test_fix_lines_name_hostile_files_on_one_line(tmp_path: Path) -> None:
    make_fixable(tmp_path)
    r = run("fix", "inventory", cwd=tmp_path)
    assert r.code == 8, r.out + r.err
    assert_lines_are_ours(r.err, r"fixed: inventory/group_vars/all/|node-timing: fixed 6 files;")
    assert "fixed: inventory/group_vars/all/za\\nb.yml (seconds-format)\n" in r.err
    assert "fixed: inventory/group_vars/all/z##\\x5berror]boom.yml (duration-format)\n" in r.err
    assert (tmp_path / "inventory/group_vars/all/odd.yml").read_bytes() == ODD_FILE.replace(
        "30s\r\n", '"30"\r\n'
    ).encode("utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ("lint", "no\n::error::x\x1b[31m"),
        ("explain", "no\n::error::x\x1b[31m"),
        ("fix", "no\n::error::x\x1b[31m"),
        ("lint", ".", "-c", "no\n::error::x\x1b[31m"),
        ("fix", ".", "--rules", "no\n::error::x\x1b[31m"),
    ],
    ids=["lint-path", "explain-path", "fix-path", "config-path", "rules-option"],
)
def test_error_lines_are_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    r = run(*args, cwd=tmp_path)
    assert r.code in (3, 5), r.err
    assert r.out == ""
    (line,) = assert_lines_are_ours(r.err, r"node-timing: ")
    assert "no\\n::error::x\\x1b[31m" in line


def test_undecodable_name_in_error_line(tmp_path: Path) -> None:
    r = run("lint", os.fsencode(tmp_path) + b"/" + UNDECODABLE, cwd=tmp_path)
    assert r.code == 5
    assert_lines_are_ours(r.err, r"node-timing: .*/n\\xff1\.yml: no such file or directory$")


# --- exit 5: an empty document, never an empty file ---------------------------------------------


@pytest.mark.parametrize("where", ["missing", "empty-directory"])
@pytest.mark.parametrize("name", ["json", "codeclimate", "sarif", "text", "pep8", "github"])
def test_nothing_to_lint_prints_an_empty_document(
    tmp_path: Path, sarif_schema: dict[str, Any], name: str, where: str
) -> None:
    if where == "empty-directory":
        (tmp_path / "inventory").mkdir()
    r = run("lint", "inventory", "--format", name, cwd=tmp_path)
    assert r.code == 5
    assert len(r.err.splitlines()) == 1 and r.err.startswith("node-timing: inventory: ")
    if name in ("json", "codeclimate"):
        assert json.loads(r.out) == []
    elif name == "sarif":
        log = json.loads(r.out)
        _valid_sarif(log, sarif_schema)
        (only_run,) = log["runs"]
        assert only_run["results"] == []
    else:
        assert r.out == ""
