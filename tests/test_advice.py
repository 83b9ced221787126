"""Advice is checked like code: every suggestion a finding makes, and every repair `fix` makes,
is applied to the inventory it was made for, which is linted again. Neither may leave a finding
that lint did not report before.

The inventories: the rule docs' Fails (and Reported) examples (`node-timing rules ID`), the
hostile corpus (tests/hostile) and the example inventories (examples/inventory).

A suggestion is machine-applicable: a finding's ``extra["suggest"]`` is a list of edits
``(action, variable, key, value)``: ``set`` the variable (or its dict's key) to value, ``rename``
the variable (or its dict's key) to value (``dict.key`` moves a variable into a dict),
``remove_item`` the value-th item of a list variable.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile.corpus import CASES as HOSTILE
from hostile.corpus import Case
from lintkit import make_inventory
from test_rule_catalogue import examples

from node_timing.config import LintConfig
from node_timing.evaluate.options import Options
from node_timing.findings import Finding
from node_timing.fix.engine import run_fix
from node_timing.fix.writeback import write_back
from node_timing.rules.runner import lint_inventory

ROOT = Path(__file__).resolve().parent.parent
RANK = {"info": 0, "warning": 1, "error": 2}
# Findings a rule cannot make while a value does not parse: repairing the value reveals them.
UNJUDGED = {"duration-format", "seconds-format", "value-type", "unresolved-value"}
STRUCTURAL = {"yaml-load", "duplicate-setting", "misplaced-setting", "unknown-setting"}


K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
# Advice that once created the next error
CASES = {
    # the extra-args key would repeat the first-class variable (duplicate-setting)
    "toleration-alias": "kube_apiserver_default_not_ready_toleration_seconds: 30\n",
    # renaming to the camelCase field repeats the field kubespray's template writes
    "flag-name-in-kubelet-config": (
        "kubelet_status_update_frequency: 20s\n"
        "kubelet_config_extra_args:\n  node-status-update-frequency: 20s\n"
        "  nodeStatusReportFrequency: 5m0s\n"
    ),
    # a misspelled report frequency and an inherited one: fix wrote the field twice
    "report-frequency-twice": (
        "kubelet_status_update_frequency: 20s\n"
        "kubelet_config_extra_args:\n  node-status-report-frequency: 1m0s\n"
    ),
    "kubelet-flag": "kubelet_custom_flags: ['--node-status-update-frequency=4s', '--v=2']\n",
    "zone-threshold": "kube_kubeadm_controller_extra_args:\n  unhealthy-zone-threshold: '0'\n",
}


def _small(case: Case) -> bool:
    """Hostile cases that are plain text and small: the others test the limits themselves
    (test_hostile.py runs them under memory and time limits)."""
    texts = [*case.files.values(), case.hosts or ""]
    return (
        not case.needs_non_root
        and all(isinstance(t, str) for t in texts)
        and sum(len(t) for t in texts if isinstance(t, str)) < 20_000
    )


def _build_hostile(case: Case, root: Path) -> Path:
    inv = root / "inventory"
    inv.mkdir(parents=True)
    if case.hosts is not None:
        (inv / "inventory.ini").write_text(case.hosts)
    for rel, content in case.files.items():
        target = inv / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        assert isinstance(content, str)
        target.write_text(content)
    return inv


def corpus() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for n, (rule, _heading, fires, path, text) in enumerate(examples()):
        if fires:
            out.append((f"doc-{rule}-{n}", {path: text}))
    # a case lint refuses as a whole (exit 3 or 5) has no finding to advise on
    out += [(f"hostile-{c.name}", c) for c in HOSTILE if _small(c) and c.exit not in (3, 5)]
    out += [(f"case-{name}", {K8S: text}) for name, text in CASES.items()]
    out += [(f"example-{p.name}", p) for p in sorted((ROOT / "examples" / "inventory").iterdir())]
    return out


def materialize(source: Any, root: Path) -> Path:
    if isinstance(source, dict):
        return make_inventory(root, source)
    if isinstance(source, Case):
        return _build_hostile(source, root)
    target = root / "inventory"
    shutil.copytree(source, target)
    return target


def lint(inv: Path) -> list[Finding]:
    _ctx, findings = lint_inventory(inv, Options())
    return findings


def new_findings(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Findings of ``after`` whose rule and setting ``before`` did not report (or reported less
    severely): lines and numbers in messages move with an edit, the rule and setting do not."""
    seen: dict[tuple[str, str | None], int] = {}
    for f in before:
        key = (f.rule, f.setting)
        seen[key] = max(seen.get(key, -1), RANK[f.severity])
    revealed = any(f.rule in UNJUDGED for f in before)
    return [
        f
        for f in after
        if RANK[f.severity] > seen.get((f.rule, f.setting), -1)
        and not (revealed and f.rule not in STRUCTURAL | UNJUDGED)
    ]


CORPUS = corpus()


@pytest.mark.parametrize(("name", "source"), CORPUS, ids=[c[0] for c in CORPUS])
def test_fix_never_leaves_a_finding_lint_did_not_report(
    tmp_path: Path, name: str, source: Any
) -> None:
    inv = materialize(source, tmp_path)
    before = lint(inv)
    result = run_fix(inv, options=Options(), config=LintConfig())
    report = write_back(result.changes, result.root)
    assert not report.failed and not report.stale
    after = lint(inv)  # from the files written, not from fix's own view of them
    assert not new_findings(before, after), [(f.rule, f.setting, f.message) for f in after]
    if name.startswith("doc-") and not result.skipped:
        # a documented failure with a repair is repaired, not merely left alone
        rule = name.split("-", 1)[1].rsplit("-", 1)[0]
        fixable = [f for f in before if f.rule == rule and f.fixable]
        if fixable:
            assert len([f for f in after if f.rule == rule]) < len(
                [f for f in before if f.rule == rule]
            ), (rule, result.skipped)


def suggestions(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.extra.get("suggest")]


@pytest.mark.parametrize(("name", "source"), CORPUS, ids=[c[0] for c in CORPUS])
def test_following_a_suggestion_leaves_no_new_finding(
    tmp_path: Path, name: str, source: Any
) -> None:
    inv = materialize(source, tmp_path / "original")
    before = lint(inv)
    for n, finding in enumerate(suggestions(before)):
        copy = tmp_path / f"s{n}" / "inventory"
        shutil.copytree(inv, copy)
        target = copy / Path(finding.path).relative_to(inv)
        if not apply_suggestion(target, finding.extra["suggest"]):
            continue  # not a YAML vars file holding the variable: nothing to edit here
        after = lint(copy)
        assert not new_findings(before, after), (
            finding.message,
            [(f.rule, f.setting, f.message) for f in new_findings(before, after)],
        )
        # and the advice does what it says: that finding is gone
        assert not [
            f
            for f in after
            if (f.rule, f.setting, f.path.replace(str(copy), str(inv)))
            == (finding.rule, finding.setting, finding.path)
            and f.line == finding.line
        ], finding.message


def apply_suggestion(path: Path, edits: list[tuple[str, str, str | None, Any]]) -> bool:
    """Apply ``edits`` to the YAML vars file ``path`` (re-dumped: comments do not matter to
    lint); False when the file is no mapping holding the edited variables."""
    vars_file = {"group_vars", "host_vars"} & set(path.parts)
    if path.suffix not in (".yml", ".yaml") or not vars_file or not path.is_file():
        return False
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        return False
    for action, var, key, value in edits:
        if action == "set" and key is None:
            data[var] = value
        elif action == "set":
            holder = data.setdefault(var, {})
            if not isinstance(holder, dict):
                return False
            holder[key] = value
        elif action == "rename" and key is None:
            if var not in data:
                return False
            moved = data.pop(var)
            dict_name, dot, new_key = str(value).partition(".")
            if dot:
                data.setdefault(dict_name, {})[new_key] = moved
            else:
                data[dict_name] = moved
        elif action == "rename":
            holder = data.get(var)
            if not isinstance(holder, dict) or key not in holder:
                return False
            holder[value] = holder.pop(key)
        elif action == "remove_item":
            items = data.get(var)
            if not isinstance(items, list) or not 0 <= int(value) < len(items):
                return False
            del items[int(value)]
        else:
            raise AssertionError(f"unknown suggestion {action!r}")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return True


def test_the_suggestions_checked_are_many_and_of_every_kind(tmp_path: Path) -> None:
    """The test above checks something: the corpus holds suggestions of every rule that makes
    them."""
    rules: set[str] = set()
    for n, (_name, source) in enumerate(c for c in CORPUS if c[0].startswith("doc-")):
        inv = materialize(source, tmp_path / str(n))
        rules |= {f.rule for f in suggestions(lint(inv))}
    assert {"unknown-setting", "toleration-zero", "eviction-rate", "kubelet-flag"} <= rules


def test_an_invented_toleration_variable_is_pointed_at_kubesprays_own(tmp_path: Path) -> None:
    inv = materialize({K8S: CASES["toleration-alias"]}, tmp_path)
    [f] = [f for f in lint(inv) if f.rule == "unknown-setting"]
    assert "did you mean kube_apiserver_pod_eviction_not_ready_timeout_seconds?" in f.message
    assert f.extra["suggest"] == [
        (
            "rename",
            "kube_apiserver_default_not_ready_toleration_seconds",
            None,
            "kube_apiserver_pod_eviction_not_ready_timeout_seconds",
        )
    ]


def test_fix_keeps_the_misspelled_report_frequency_and_writes_the_field_once(
    tmp_path: Path,
) -> None:
    inv = materialize({K8S: CASES["report-frequency-twice"]}, tmp_path)
    result = run_fix(inv, options=Options(), config=LintConfig())
    write_back(result.changes, result.root)
    text = (inv / K8S).read_text()
    assert text.count("nodeStatusReportFrequency") == 1
    assert "nodeStatusReportFrequency: 1m0s" in text  # the value the user wrote, spelled right
    assert not [f for f in lint(inv) if f.severity != "info" and f.rule in STRUCTURAL]
