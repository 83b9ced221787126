"""MkDocs hooks: the rules reference and the profile figures, generated from the code each time
the site is built.

A page per rule (``rules/<id>.md``) is the rule module's docstring (what ``node-timing rules ID``
prints: why, Fails/Passes examples, fix, thresholds) under a table of its severities and
thresholds; ``rules/index.md`` is the table of every rule. Nothing generated is committed, so a
rule's documentation is edited in one place, its module. ``tests/test_docs_site.py`` checks the
generated pages against what each rule does.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from node_timing import figures, profiles, rules, thresholds
from node_timing.findings import SEVERITIES

RULES_DIR = "rules"
# Where docs/profiles.md receives the generated tables; on GitHub the line reads as a pointer.
PROFILE_TABLES = "<!-- generated: profile tables (node-timing profile NAME --nodes N) -->"
SIZES = (50, 300, 1000, 5000)
PROFILE_ORDER = ("fast", "medium", "upstream", "kubespray-default", "low")


def severities(module: Any) -> list[str]:
    """The severities a rule module can give a finding: its ``SEVERITY`` and every severity
    literal in a ``severity=`` argument or an assignment to ``severity`` in its source."""
    found = {module.SEVERITY}
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        values: list[ast.AST] = []
        if isinstance(node, ast.keyword) and node.arg == "severity":
            values.append(node.value)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "severity" for t in targets):
                values.append(node.value)
        for value in values:
            found.update(
                c.value
                for c in ast.walk(value)
                if isinstance(c, ast.Constant) and c.value in SEVERITIES
            )
    return [s for s in SEVERITIES if s in found]


def rule_page(module: Any) -> str:
    info = rules.by_id(module.ID)
    assert info is not None
    _, _, body = info.doc.partition("\n")
    rows = [
        f"| default severity | {module.SEVERITY} |",
        f"| severities | {', '.join(severities(module))} |",
        f"| repaired by `node-timing fix` | {'yes' if hasattr(module, 'repair') else 'no'} |",
    ]
    for t in thresholds.of_rule(module.ID):
        how = "configurable" if t.configurable else "not configurable (upstream)"
        rows.append(f"| `{t.name}` | {t.value:g} {t.unit}; {how} |")
    return (
        f"# {module.ID}\n\n{module.SUMMARY[:1].upper()}{module.SUMMARY[1:]}.\n\n| | |\n|---|---|\n"
        + "\n".join(rows)
        + f"\n\n{body.strip()}\n\n"
        + f"`node-timing rules {module.ID}` prints this page; silence it with "
        + f"`# noqa: {module.ID}` or `skip_list: [{module.ID}]` "
        + "([configuration](../configuration.md)).\n"
    )


def rules_index() -> str:
    lines = [
        "# Rules",
        "",
        "Every check `node-timing lint` runs, generated from the rule modules"
        " (`src/node_timing/rules/<id>.py`) when this site is built. `node-timing rules` prints"
        " the same list, `node-timing rules ID` one rule's page. Severities: *error* fails a run"
        " (exit 2), *warning* fails it only with `--strict`, *info* never does.",
        "",
        "| id | severities | fixable | what it reports |",
        "|---|---|---|---|",
    ]
    for m in rules.modules():
        fixable = "yes" if hasattr(m, "repair") else ""
        lines.append(
            f"| [`{m.ID}`]({m.ID}.md) | {' / '.join(severities(m))} | {fixable} | {m.SUMMARY} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """Every generated page, by its path under docs/."""
    out = {f"{RULES_DIR}/index.md": rules_index()}
    out.update({f"{RULES_DIR}/{m.ID}.md": rule_page(m) for m in rules.modules()})
    return out


def _figures(name: str, nodes: int) -> tuple[profiles.ProfileResult, figures.Figures]:
    result = profiles.compute(name, nodes)
    return result, figures.compute(result.settings, nodes)


def _first_stretched(name: str) -> int | None:
    """The smallest node count at which the profile is stretched (its lease writes exceed the
    default heartbeat budget), up to 5,000 nodes."""
    low, high = 1, max(SIZES)
    if profiles.compute(name, high).stretch is None:
        return None
    while low < high:
        mid = (low + high) // 2
        if profiles.compute(name, mid).stretch is None:
            low = mid + 1
        else:
            high = mid
    return low


def _seconds(value: float) -> str:
    return f"{value:g} s"


def profile_tables() -> str:
    """How fast each profile moves a dead node's pods, and what it costs by cluster size."""
    version = profiles.compute(PROFILE_ORDER[0], SIZES[0]).kube_version
    speed = [
        f"Kubernetes {version}, {SIZES[1]} nodes (the times do not depend on the node count until"
        " a profile is stretched):",
        "",
        "| profile | heartbeat every | heartbeats per grace | node seen dead after"
        " | pods evicted at the latest | stretched from |",
        "|---|---|---|---|---|---|",
    ]
    for name in PROFILE_ORDER:
        _, f = _figures(name, SIZES[1])
        first = _first_stretched(name)
        speed.append(
            f"| `{name}` | {_seconds(f.heartbeat_interval_seconds)}"
            f" | {f.heartbeats_per_grace:g} | {_seconds(f.detection_seconds_min)} to"
            f" {_seconds(f.detection_seconds_max)} | {_seconds(f.eviction_seconds_max)}"
            f" | {f'{first:,} nodes' if first else 'not up to 5,000 nodes'} |"
        )
    cost = [
        "",
        "Lease writes per second and etcd bytes written per day (leases and node status),"
        " by cluster size:",
        "",
        "| profile | " + " | ".join(f"{n:,} nodes" for n in SIZES) + " |",
        "|---|" + "---|" * len(SIZES),
    ]
    for name in PROFILE_ORDER:
        cells = []
        for n in SIZES:
            result, f = _figures(name, n)
            cell = (
                f"{f.lease_writes_per_minute / 60:,.4g}/s,"
                f" {f.etcd_write_bytes_per_day / 1e9:,.3g} GB/day"
            )
            if result.stretch is not None:
                cell += f" (stretched: evicts at {_seconds(f.eviction_seconds_max)})"
            cells.append(cell)
        cost.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(speed + cost) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if PROFILE_TABLES in markdown:
        return markdown.replace(PROFILE_TABLES, profile_tables())
    return markdown


def on_config(config: Any) -> Any:
    """The nav's ``Rules`` entry becomes the index and one entry per rule."""
    nav = config["nav"] or []
    for i, entry in enumerate(nav):
        if isinstance(entry, dict) and "Rules" in entry:
            nav[i] = {
                "Rules": [
                    {"All rules": f"{RULES_DIR}/index.md"},
                    *({m.ID: f"{RULES_DIR}/{m.ID}.md"} for m in rules.modules()),
                ]
            }
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, text in pages().items():
        files.append(File.generated(config, path, content=text))
    return files
