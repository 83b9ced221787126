"""The rule catalogue: every rule module is registered under the id its file is named after, holds
its whole rule (severity, check, repair), is documented with the same sections, and its documented
examples do what they say when they are linted."""

from __future__ import annotations

import ast
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from lintkit import lint

from node_timing import rules
from node_timing.cli import main
from node_timing.findings import SEVERITIES, UNSET, Finding
from node_timing.fix.plan import Planner
from node_timing.rules.runner import default_severity

RULES_DIR = Path(rules.__file__).parent
# A rule's examples are one vars file each; this is where one goes unless it names another file.
DEFAULT_FILE = "group_vars/k8s_cluster/k8s-cluster.yml"
HEADINGS = re.compile(r"^\*\*(Fails|Passes|Reported|Not reported|Fix\.)\*\*", re.MULTILINE)
EXAMPLE = re.compile(r"^```yaml\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FILE_COMMENT = re.compile(r"#\s*((?:group_vars|host_vars)/[\w./-]+\.ya?ml)\s*")
# Which heading says what: an info rule's examples are reported or not, they do not fail a run.
FIRES = {"Fails": True, "Passes": False, "Reported": True, "Not reported": False}
# Modules of the rules package that are not rules.
NOT_RULES = {"runner": "runs every rule over a lint context and merges the findings"}
# Rules whose examples lint cannot run, each with why (their documentation is checked all the same).
NOT_LINTED = {
    "deployed-drift": "verify computes it from files collected from the nodes; lint reads none",
}


def rule_files() -> list[str]:
    """Every module of the rules package but private helpers (``_common.py``) and NOT_RULES."""
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(RULES_DIR)])
        if not m.name.startswith("_") and m.name not in NOT_RULES
    )


def sections(doc: str) -> dict[str, str]:
    """A rule docstring cut at its headings: the text before the first one is ``""``."""
    parts = HEADINGS.split(doc)
    found = {"": parts[0]}
    for heading, text in zip(parts[1::2], parts[2::2], strict=True):
        assert heading not in found, f"**{heading}** twice"
        found[heading] = text
    return found


def examples() -> list[tuple[str, str, bool, str, str]]:
    """(rule id, heading, fires, file, text) of every example of every rule's documentation."""
    out = []
    for module in rules.modules():
        for heading, text in sections(module.__doc__ or "").items():
            if heading not in FIRES:
                continue
            for block in EXAMPLE.findall(text):
                first, _, rest = block.partition("\n")
                named = FILE_COMMENT.fullmatch(first)
                path, body = (named.group(1), rest) if named else (DEFAULT_FILE, block)
                out.append((module.ID, heading, FIRES[heading], path, body))
    return out


def test_every_rule_module_is_registered_under_its_file_name() -> None:
    registered = {m.__name__.rpartition(".")[2]: m for m in rules.modules()}
    assert sorted(registered) == rule_files()
    for name, module in registered.items():
        assert name.replace("_", "-") == module.ID, name
    assert rules.ids() == [m.ID for m in rules.modules()]
    assert len(set(rules.ids())) == len(rules.ids())
    # the exemptions name what exists: a stale entry would exempt nothing and hide nothing
    assert all((RULES_DIR / f"{name}.py").is_file() for name in NOT_RULES)
    assert set(NOT_LINTED) <= set(rules.ids())


@pytest.mark.parametrize("module", rules.modules(), ids=lambda m: m.ID)
def test_each_rule_declares_what_the_catalogue_shows(module: Any) -> None:
    info = rules.by_id(module.ID)
    assert info is not None
    assert module.SEVERITY in SEVERITIES
    assert info.severity == module.SEVERITY
    assert info.summary and "\n" not in info.summary
    assert callable(module.check)


def test_repairs_are_found_through_the_registry() -> None:
    with_repair = {m.ID for m in rules.modules() if hasattr(m, "repair")}
    assert with_repair == {
        "seconds-format",
        "duration-format",
        "removed-setting",
        "duplicate-setting",
        "misplaced-setting",
        "report-frequency",
        "profile-drift",
    }
    for module in rules.modules():
        assert rules.repair_for(module.ID) is getattr(module, "repair", None)
    assert rules.repair_for("no-such-rule") is None
    # the planner has no per-rule methods left to find by name
    assert not [name for name in dir(Planner) if name.startswith("fix_")]


def test_no_rule_imports_the_fix_engine_at_run_time() -> None:
    """Rules reach the planning helpers through the Planner they are given; fix/ imports the rule
    registry, so a rule importing fix/ when it runs would make an import cycle."""
    for path in sorted(RULES_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
            for node in ast.walk(block)
        }
        imported = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and id(node) not in type_only and node.module
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import) and id(node) not in type_only
            for alias in node.names
        ]
        assert not [m for m in imported if m.startswith("node_timing.fix")], path.name


@pytest.mark.parametrize("module", rules.modules(), ids=lambda m: m.ID)
def test_each_rule_docstring_has_its_sections(module: Any) -> None:
    doc = (module.__doc__ or "").strip()
    rule_id = module.ID
    title, _, body = doc.partition("\n")
    assert title.startswith(f"{rule_id}: ") and len(title) > len(rule_id) + 2
    found = sections(body)
    assert found[""].strip(), "no rationale before the examples"
    info = module.SEVERITY == "info"
    fails, passes = ("Reported", "Not reported") if info else ("Fails", "Passes")
    assert [h for h in found if h] == [fails, passes, "Fix."], list(found)
    for heading in (fails, passes):
        assert EXAMPLE.findall(found[heading]), f"no yaml example under **{heading}**"
    assert found["Fix."].strip()


@pytest.mark.parametrize(
    ("rule_id", "heading", "fires", "path", "text"),
    examples(),
    ids=[f"{e[0]}-{e[1].lower().replace(' ', '-')}-{n}" for n, e in enumerate(examples())],
)
def test_each_documented_example_does_what_it_says(
    tmp_path: Path, rule_id: str, heading: str, fires: bool, path: str, text: str
) -> None:
    if rule_id in NOT_LINTED:
        # lint never reports it, whatever the example: the finding comes from another command
        assert rule_id not in {f.rule for f in lint(tmp_path, {path: text})}
        return
    findings = lint(tmp_path, {path: text})
    found = {f.rule for f in findings}
    assert (rule_id in found) is fires, (heading, path, text, sorted(found))
    assert {f.severity for f in findings} <= set(SEVERITIES)  # every one stamped


def test_the_runner_stamps_the_default_severity_and_keeps_overrides() -> None:
    unset = Finding("monitor-period", UNSET, "m", "f.yml")
    chosen = Finding("monitor-period", "warning", "m", "f.yml")
    stamped = list(default_severity([unset, chosen], "error"))
    assert [f.severity for f in stamped] == ["error", "warning"]
    assert stamped[1] is chosen


def test_every_rule_has_examples_that_fire_and_that_do_not() -> None:
    covered = {(rule_id, fires) for rule_id, _h, fires, _p, _t in examples()}
    assert covered == {(r, f) for r in rules.ids() for f in (True, False)}


def test_the_rules_command_shows_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """`node-timing rules ID` prints the documentation with its examples as written."""
    for module in rules.modules():
        assert main(["rules", module.ID]) == 0
        shown = capsys.readouterr().out
        assert shown.startswith(f"{module.ID} ({module.SEVERITY})\n")
        for _rule, heading, _fires, path, text in (e for e in examples() if e[0] == module.ID):
            assert f"**{heading}**" in shown
            assert text in shown
            if path != DEFAULT_FILE:
                assert f"# {path}" in shown
