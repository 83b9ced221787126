"""node-timing's checks inside an ansible-lint run: what the ``node-timing`` rule reports.

ansible-lint hands a rule one file at a time. The rule class lives where ansible-lint looks for
installed custom rules (``ansiblelint/rules/custom/node_timing/``, shipped in this package's
wheel) and is a thin shell around this module, which decides everything else:

- which inventory a file belongs to, found as ``node-timing lint`` finds one: the directory that
  holds the ``group_vars/`` or ``host_vars/`` the file is in, or the file's own directory when it
  holds them (its ``hosts.yaml``). Any other file is left alone.
- each inventory is linted once per run (``Evaluations`` caches it), with the same rules as
  ``node-timing lint`` without ``--allow-exec``: nothing is executed, and ``.node-timing.yml``
  applies as it does there;
- each finding is reported on the file that holds the value that won. ansible-lint only reads YAML
  files, so a finding in an INI inventory or another file it never hands over is reported on the
  inventory's first YAML file instead, its message naming where the value is.

Nothing here imports ansible-lint: the core package works without it, and these decisions are
tested without it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from node_timing import rules
from node_timing.errors import UsageError
from node_timing.findings import Finding
from node_timing.inventory import InventoryError, load_inventory

# The linter's public entry and the configuration, in one place: only these lines name them.
from node_timing.config import ANSIBLE_LINT_RULE, LintConfig, apply_silencing, discover  # isort: skip
from node_timing.display import printable  # isort: skip
from node_timing.evaluate.options import Options  # isort: skip
from node_timing.rules.runner import lint_inventory  # isort: skip

RULE_ID = ANSIBLE_LINT_RULE  # every check is one ansible-lint rule, tagged by check
# The sub-id of a problem with .node-timing.yml (node-timing lint exits 3 on it): not a rule of the
# catalogue, so it never collides with one.
CONFIG_TAG = f"{RULE_ID}[config]"
# ansible-lint fails a run on every match unless the match's rule, tag or one of the rule's tags
# is in warn_list. node-timing's warnings and info findings do not fail `node-timing lint`; their
# matches carry this tag, and the rule puts it in warn_list, so they warn in ansible-lint too.
WARNING_TAG = "node-timing-warning"
# node-timing's severities as ansible-lint's (what its SARIF, codeclimate and GitHub outputs show).
SEVERITY = {"error": "HIGH", "warning": "MEDIUM", "info": "INFO"}
# The files ansible-lint reads (its file kinds are YAML); findings elsewhere are re-homed.
_YAML = (".yml", ".yaml")
_VARS_DIRS = ("group_vars", "host_vars")


@dataclass(frozen=True)
class Report:
    """One finding as an ansible-lint match: ``node-timing[<rule>]`` at a line of the file."""

    tag: str
    message: str
    line: int
    column: int | None
    severity: str  # ansible-lint's: HIGH, MEDIUM, INFO
    fails: bool  # an error: it fails the run unless ansible-lint's warn_list names it


@dataclass
class _Evaluated:
    """One inventory's reports, by the real path of the file they are reported on."""

    reports: dict[str, list[Report]] = field(default_factory=dict)

    def add(self, path: str, report: Report) -> None:
        self.reports.setdefault(os.path.realpath(path), []).append(report)


# ansible-lint's text output reads `[word]`, `[word=...]` and `[/]` in a message as markup (colour,
# terminal hyperlinks): an inventory value quoted in a message must not drive it.
_MARKUP = re.compile(r"\[(?=[\w./])")
# ansible-lint's JSON formats carry a message verbatim; every other format renders the markup.
JSON_FORMATS = frozenset({"json", "codeclimate", "sarif"})


def markup_safe(text: str) -> str:
    """``text`` shown as written by ansible-lint's text output: a space after each ``[`` that
    would open a markup tag (``[red]`` shows as ``[ red]``)."""
    return _MARKUP.sub("[ ", text)


def tag(rule: str) -> str:
    """``grace-vs-heartbeat`` -> ``node-timing[grace-vs-heartbeat]``."""
    return f"{RULE_ID}[{rule}]"


def inventory_dir(
    path: str | os.PathLike[str], project_dir: str | os.PathLike[str] | None = None
) -> str | None:
    """The inventory directory ``path`` belongs to, or None when it belongs to none.

    The directory above the nearest ``group_vars``/``host_vars`` component, else the file's own
    directory when it holds ``group_vars/`` or ``host_vars/`` (an inventory file beside them).
    A ``group_vars`` at or above ``project_dir`` (ansible-lint's project directory, which it takes
    from its configuration file's location or ``--project-dir``; default the working directory)
    is not this file's. Whether that directory really is an inventory (it has hosts) is for the
    loader to say.
    """
    p = Path(os.path.abspath(os.fspath(path)))
    project = Path(os.path.abspath(os.fspath(project_dir if project_dir is not None else ".")))
    for parent in p.parents:
        if parent == project:
            break  # a directory above the project named group_vars is not this file's
        if parent.name in _VARS_DIRS:
            return str(parent.parent)
    if p.suffix in _YAML and any((p.parent / d).is_dir() for d in _VARS_DIRS):
        return str(p.parent)
    return None


class Evaluations:
    """Each inventory linted at most once: one instance lives as long as one ansible-lint run."""

    def __init__(self) -> None:
        self._by_inventory: dict[str, _Evaluated] = {}

    def reports(
        self, path: str | os.PathLike[str], project_dir: str | os.PathLike[str] | None = None
    ) -> list[Report]:
        """What to report on the file at ``path`` (none for a file outside any inventory)."""
        directory = inventory_dir(path, project_dir)
        if directory is None:
            return []
        key = os.path.realpath(directory)
        evaluated = self._by_inventory.get(key)
        if evaluated is None:
            evaluated = self._by_inventory[key] = evaluate(directory)
        return list(evaluated.reports.get(os.path.realpath(path), ()))


def evaluate(directory: str) -> _Evaluated:
    """Lint the inventory at ``directory`` as ``node-timing lint DIRECTORY`` would."""
    evaluated = _Evaluated()
    problem: str | None = None
    try:
        try:
            config = discover(Path(directory), set(rules.ids()))
            files, findings = _lint(directory, config)
        except UsageError as exc:  # .node-timing.yml cannot be used: `node-timing lint` exits 3
            problem = str(exc)
            files, findings = list(load_inventory(directory).files), []
    except InventoryError:
        return evaluated  # not an inventory (no hosts): its files are left alone
    anchor = _anchor(files)
    if problem is not None and anchor is not None:
        message = f"{problem}; node-timing's checks of this inventory did not run"
        evaluated.add(anchor, Report(CONFIG_TAG, printable(message), 1, None, "HIGH", True))
    for finding in findings:
        report = Report(
            tag=tag(finding.rule),
            message=printable(finding.message),
            line=max(1, finding.line),
            column=finding.column or None,
            severity=SEVERITY.get(finding.severity, "HIGH"),
            fails=finding.severity == "error",
        )
        if finding.path.endswith(_YAML):
            evaluated.add(finding.path, report)
        elif anchor is not None:
            evaluated.add(anchor, _rehomed(report, finding, directory))
    return evaluated


def _lint(directory: str, config: LintConfig) -> tuple[list[str], list[Finding]]:
    """The inventory's files and its findings after ``# noqa`` and .node-timing.yml, with the
    options `node-timing lint` takes from .node-timing.yml."""
    # allow_exec never: ansible-lint runs on checkouts nobody audited
    options = replace(Options.from_config(config), allow_exec=False)
    ctx, findings = lint_inventory(directory, options)
    return list(ctx.inventory.files), apply_silencing(findings, config)


def _anchor(files: Iterable[str]) -> str | None:
    """Where findings in files ansible-lint never reads go, and a problem with .node-timing.yml
    (which may lie outside the inventory): the inventory's first YAML file."""
    yaml_files = sorted(f for f in files if f.endswith(_YAML))
    return yaml_files[0] if yaml_files else None


def _rehomed(report: Report, finding: Finding, directory: str) -> Report:
    if finding.from_default:  # the message says it is kubespray's default: no file holds it
        return Report(report.tag, report.message, 1, None, report.severity, report.fails)
    where = os.path.relpath(finding.path, directory)
    if finding.line:
        where = f"{where}:{finding.line}"
    message = f"{report.message} (at {printable(where)}, a file ansible-lint does not read)"
    return Report(report.tag, message, 1, None, report.severity, report.fails)
