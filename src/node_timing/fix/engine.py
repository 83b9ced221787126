"""``node-timing fix``: the passes that repair an inventory's findings in memory.

Each pass loads the inventory through the overlay of the files edited so far (``overlay.py``),
lints it, plans edits from the fixable findings (``plan.py``, each rule's ``repair``), and applies
them to the files concerned (``apply.py``). Passes repeat until nothing is left to fix (one repair
can reveal another), so a second run finds nothing to do. The caller then writes the changed
files (``writeback.py``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node_timing.findings import Finding
from node_timing.fix.apply import apply_ops
from node_timing.fix.overlay import Edits, FileChange
from node_timing.fix.plan import Op, Planner, default_vars_file, resolve_conflicts
from node_timing.render.write import UnsafePathError, check_target
from node_timing.rules import ids, repair_for

MAX_PASSES = 4


@dataclass
class FixResult:
    changes: list[FileChange]
    remaining: list[Finding]  # findings after fixing
    skipped: list[str]  # repairs that could not be made safely, one line each
    root: str = ""  # the project root every write stays inside
    release: Any = None  # the kubespray release the inventory was judged for


def run_fix(
    inventory: Path,
    *,
    options: Any,
    config: Any,
    rules: Collection[str] | None = None,
    profile: str | None = None,
) -> FixResult:
    """Fix ``inventory`` in memory; the caller writes the changes (``write_back``).

    A result that lints worse than the inventory did (a finding lint did not report before, or
    one reported more severely) is never returned: the rules whose repairs are used are then
    tried one by one, each kept only if the result with it is no worse, and each one left out is
    named in ``skipped``."""
    from node_timing.inventory.vars_files import reuse_parses

    with reuse_parses():  # an unchanged file is parsed once, not once per round
        return _run_fix(inventory, options, config, rules, profile)


def _run_fix(
    inventory: Path,
    options: Any,
    config: Any,
    rules: Collection[str] | None,
    profile: str | None,
) -> FixResult:
    edits, findings, skipped, before, release, carried = _passes(
        inventory, options, config, rules, profile, None
    )
    if not _worse(before, findings, carried):
        return FixResult(edits.changes(), findings, _unique(skipped), edits.root, release)
    used = list(dict.fromkeys(r for c in edits.changes() for r in sorted(c.rules)))
    accepted: list[str] = []
    kept = _passes(inventory, options, config, rules, profile, accepted)
    for rule in used:
        trial = _passes(inventory, options, config, rules, profile, [*accepted, rule])
        new = _worse(before, trial[1], carried)
        if new:
            skipped.append(
                f"{inventory}: {rule}: not fixed: the result would report "
                + "; ".join(
                    f"{f.severity} {f.rule}" + (f" ({f.setting})" if f.setting else "")
                    for f in new[:3]
                )
                + " that lint did not report before"
            )
            continue
        accepted.append(rule)
        kept = trial
    edits, findings, more, _before, release, _carried = kept
    return FixResult(edits.changes(), findings, _unique([*skipped, *more]), edits.root, release)


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


_RANK = {"info": 0, "warning": 1, "error": 2}
# Rules that report a value no other rule can judge (it does not parse or resolve): repairing it
# lets the rules that compare values see it for the first time.
_UNJUDGED = frozenset({"duration-format", "seconds-format", "value-type", "unresolved-value"})
# Rules about how the inventory is written, not about the values: a repair must never cause one.
_STRUCTURAL = frozenset(
    {"yaml-load", "duplicate-setting", "misplaced-setting", "unknown-setting", "removed-setting"}
    | _UNJUDGED
)


def _worse(
    before: list[Finding], after: list[Finding], carried: frozenset[tuple[str, str | None]]
) -> list[Finding]:
    """The findings of ``after`` that ``before`` did not have: a rule and setting not reported
    before, or reported with a lower severity (messages and lines move with the edits). A
    comparison of values (grace-vs-heartbeat, ...) is not new when a value was unusable before:
    the repair revealed it, as lint would once the value is written right. ``carried``: the
    findings (rule, setting) the profile ``fix --profile`` adopts carries itself, as ``profile
    NAME`` prints them (grace-vs-http2 on ``fast``: kubespray cannot deploy its HTTP/2 timeouts;
    slow-status on ``low``): asked for, not new."""
    seen: dict[tuple[str, str | None], int] = {}
    for f in before:
        key = (f.rule, f.setting)
        seen[key] = max(seen.get(key, -1), _RANK[f.severity])
    unjudged = any(f.rule in _UNJUDGED for f in before)
    return [
        f
        for f in after
        if (f.rule, f.setting) not in carried
        and _RANK[f.severity] > seen.get((f.rule, f.setting), -1)
        and not (unjudged and f.rule.partition("[")[0] not in _STRUCTURAL)
    ]


def _passes(
    inventory: Path,
    options: Any,
    config: Any,
    rules: Collection[str] | None,
    profile: str | None,
    only: Collection[str] | None,
) -> tuple[Edits, list[Finding], list[str], list[Finding], Any, frozenset[tuple[str, str | None]]]:
    """The fix passes; ``only``: the rules whose repairs may be used (None: every rule).
    Returns the edits, the findings after them, the lines saying what was not fixed, the
    findings before any edit, the kubespray release the evaluation took and the findings the
    adopted profile carries itself (:func:`_carried`)."""
    from node_timing.config import apply_silencing, matches
    from node_timing.evaluate.context import build_context
    from node_timing.inventory import load_inventory
    from node_timing.inventory.root import inventory_dir, project_root
    from node_timing.rules.runner import run_rules

    edits = Edits(project_root(inventory))
    skipped: list[str] = []
    findings: list[Finding] = []
    before: list[Finding] = []
    carried: frozenset[tuple[str, str | None]] = frozenset()
    for n in range(MAX_PASSES + 1):
        loaded = load_inventory(inventory, overlay=edits.new, extra_vars=options.extra_vars)
        default_file = default_vars_file(
            os.path.realpath(loaded.basedir or inventory_dir(inventory))
        )
        ctx = build_context(loaded, options)
        findings = apply_silencing(run_rules(ctx), config)
        if n == 0:
            before = findings
            if profile is not None:
                carried = _carried(ctx, profile, skipped)
        if n == MAX_PASSES:
            break
        if loaded.layout is not None:
            # the inventory is text inside a manifest: fix edits inventory files only
            skipped.append(f"{inventory}: {loaded.layout}: not fixed (edit the manifests)")
            break
        if loaded.used_ansible:
            # ansible-core reads the files itself: it would not see an edit before it is written,
            # so the edits could not be checked by linting them again.
            skipped.append(f"{inventory}: only ansible-core reads this inventory: not fixed")
            break
        planner = Planner(ctx, default_file)
        planned: list[Op] = []
        if n == 0 and (only is None or "profile-drift" in only):
            name = profile or _declared_profile(ctx, findings, rules)
            if name is not None:
                planned.extend(_profile_ops(planner, ctx, name, skipped))
        for f in findings:
            wanted = rules is None or matches(f.rule, rules)
            if f.fixable and wanted and (only is None or f.rule in only):
                planned.extend(_repair(planner, f))
        planned = _not_extra_vars(planned, loaded.extra_vars, skipped)
        ops, dropped = resolve_conflicts(_to_real(planned, edits.root, skipped), _rank)
        if n == 0:
            skipped.extend(
                f"{o.file}:{o.line}: {o.rule}: not fixed: hosts disagree on {o.var}"
                for o in dropped
                if o.rule
            )
        changed = False
        by_file: dict[str, list[Op]] = {}
        for op in ops:
            by_file.setdefault(op.file, []).append(op)
        for path, file_ops in by_file.items():
            did, problems = apply_ops(path, file_ops, edits, loaded.groups)
            skipped.extend(problems)
            if did:
                changed = True
                edits.rules.setdefault(path, set()).update(o.rule for o in file_ops)
        if not changed:
            break
    return edits, findings, skipped, before, ctx.release, carried


def _rank(rule: str) -> int:
    """A rule's place in the catalogue (profile-drift's profile ops, tagged with no rule, first)."""
    order = ids()
    base = rule.partition("[")[0]
    return order.index(base) + 1 if base in order else 0


def _repair(planner: Planner, finding: Finding) -> list[Op]:
    """The edits that repair ``finding``: its rule's repair, each edit tagged with the rule."""
    repair = repair_for(finding.rule.partition("[")[0])
    if repair is None or not finding.fixable:
        return []
    return [dataclasses.replace(o, rule=finding.rule) for o in repair(planner, finding)]


def _not_extra_vars(ops: list[Op], extra: dict[str, Any], skipped: list[str]) -> list[Op]:
    """``fix`` edits the inventory only: a value that wins from ``-e`` is the pipeline's, and no
    inventory edit could win over it. Each op on it is dropped with one line saying so."""
    places = {str(v.path) for v in extra.values()}
    if not places:
        return ops
    kept: list[Op] = []
    for op in ops:
        if op.file in places:
            skipped.append(
                f"{op.file}:{op.line}: {op.rule}: not fixed: {op.var} comes from --extra-vars, "
                "which wins over every inventory file; change it where -e gives it"
            )
        else:
            kept.append(op)
    return kept


def _to_real(ops: Iterable[Op], root: str, skipped: list[str]) -> list[Op]:
    """Each op on the real file it edits (two symlinked names of one file are one file); an op
    on a file that may not be written (outside the project root, a dangling symlink, not a
    regular file, hard-linked) is dropped with one line saying why."""
    real: dict[str, str | None] = {}
    out: list[Op] = []
    for op in ops:
        if op.file not in real:
            try:
                real[op.file] = str(check_target(root, op.file))
            except UnsafePathError as exc:
                real[op.file] = None
                skipped.append(f"{op.file}: {exc}: not edited")
        target = real[op.file]
        if target is None:
            continue
        out.append(op if target == op.file else dataclasses.replace(op, file=target))
    return out


def _declared_profile(
    ctx: Any, findings: list[Finding], rules: Collection[str] | None
) -> str | None:
    from node_timing.config import matches
    from node_timing.evaluate.sources import plain

    if rules is not None and not matches("profile-drift", rules):
        return None
    if not any(f.rule == "profile-drift" and f.fixable for f in findings):
        return None
    holder = ctx.cluster.variables.get("node_timing_profile")
    return str(plain(holder)) if holder is not None else None


def _carried(ctx: Any, name: str, skipped: list[str]) -> frozenset[tuple[str, str | None]]:
    """What lint says of profile ``name`` itself, as ``profile NAME`` prints it (the kubespray
    variables and the role's, linted alone), each finding named once in ``skipped``."""
    from node_timing import kubespray, profiles
    from node_timing.display import printable
    from node_timing.knowledge import KnowledgeError
    from node_timing.render import role_vars
    from node_timing.rules.runner import check_host_vars
    from node_timing.settings import SettingError

    try:
        result = profiles.compute(name, ctx.nodes, str(ctx.version), {}, ctx.heartbeat_budget)
    except (profiles.ProfileError, SettingError, KnowledgeError):
        return frozenset()
    variables = {
        **kubespray.to_vars(result.settings, None, ctx.version),
        **role_vars(result.settings, ctx.version),
    }
    found = check_host_vars(
        variables, nodes=ctx.nodes, kube_version=str(ctx.version), host=name, default_path=name
    )
    skipped.extend(
        f"profile {name} itself: {f.severity} {f.rule}: {printable(f.message)}" for f in found
    )
    return frozenset((f.rule, f.setting) for f in found)


def _profile_ops(planner: Planner, ctx: Any, name: str, skipped: list[str]) -> list[Op]:
    from node_timing import profiles
    from node_timing.evaluate.sources import plain
    from node_timing.knowledge import KnowledgeError
    from node_timing.rules.profile_drift import apply_profile
    from node_timing.settings import SettingError

    raw = plain(ctx.cluster.variables.get("node_timing_overrides")) or {}
    overrides = dict(raw) if isinstance(raw, dict) else {}
    try:
        result = profiles.compute(
            name, ctx.nodes, str(ctx.version), overrides, ctx.heartbeat_budget
        )
    except (profiles.ProfileError, SettingError, KnowledgeError) as exc:
        skipped.append(f"profile {name}: not applied: {exc}")
        return []
    return apply_profile(planner, result.settings, name)
