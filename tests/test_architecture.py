"""The package's shape: no import cycle, no oversized module, and the layers import downwards.

Every module under src/node_timing is parsed with ``ast``; every import counts, at module level or
inside a function (the lazy imports that keep start-up fast are still dependencies), absolute or
relative (``from . import x``). The checks are plain functions over a graph so that a test can
feed them a small synthetic graph and see them fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
PACKAGE = "node_timing"
MAX_LINES = 500
RUNNER = "node_timing.rules.runner"

# Modules allowed over MAX_LINES, each with why; remove an entry when its module is split (a stale
# entry fails the test, so the list only shrinks).
OVERSIZED: dict[str, str] = {}
# Entries of OVERSIZED that are within the limit today but may pass it while code moves through
# them; every other entry must still be over the limit.
MAY_BE_WITHIN: set[str] = set()
# Import cycles allowed for now, as the set of their modules, each with why; same rule as above.
KNOWN_CYCLES: dict[frozenset[str], str] = {}
# Modules that may import the rule runner: they run the linter.
RUNS_THE_LINTER = {
    "node_timing.commands.lint": "the lint command",
    "node_timing.commands.profile": "profile and render lint the variables they produce",
    "node_timing.commands.verify": "verify runs the rules on what the nodes run",
    "node_timing.fix.engine": "fix re-lints the edited inventory",
    "node_timing.ansible_filters.check": "the node_timing_check filter is the linter",
    "node_timing.ansible_lint": "the ansible-lint rule runs the linter on each inventory",
}
# The layers, bottom first: a module imports only from its own layer or those below. A module
# belongs to the layer of the longest name that covers it (``node_timing.fix.plan`` is not in the
# layer of ``node_timing.fix``); every module must belong to one. docs/architecture.md draws them.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "shared values",
        (
            "node_timing.__init__",  # the package itself: its version
            "node_timing.findings",
            "node_timing.errors",
            "node_timing.display",
            "node_timing.serialize",
            "node_timing.progress",
        ),
    ),
    (
        "vocabulary and pure timing functions",
        (
            "node_timing.durations",
            "node_timing.knowledge",
            "node_timing.jsonschemas",
            "node_timing.thresholds",
            "node_timing.templating",
            "node_timing.settings",
            "node_timing.kubespray",
            "node_timing.figures",
            "node_timing.simulate",
            "node_timing.profiles",
        ),
    ),
    ("the inventory reader", ("node_timing.inventory",)),
    (
        "project configuration and text edits",
        ("node_timing.config", "node_timing.releases", "node_timing.edits"),
    ),
    ("evaluation", ("node_timing.evaluate",)),
    ("rendering", ("node_timing.render",)),
    ("node files and the repairs' vocabulary", ("node_timing.deployed", "node_timing.fix.plan")),
    ("rules", ("node_timing.rules",)),
    (
        "fix, verify and output formats",
        ("node_timing.fix", "node_timing.deployed.verify", "node_timing.formats"),
    ),
    ("the Ansible faces", ("node_timing.ansible_filters", "node_timing.ansible_lint")),
    ("the command line", ("node_timing.commands", "node_timing.cli", "node_timing.__main__")),
]


def module_files(src: Path = SRC) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out: dict[str, Path] = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, str]]:
    """``(name, fallback)`` for every import in ``tree``, absolute: ``import a.b`` gives
    ``(a.b, a.b)``; ``from a.b import x`` gives ``(a.b.x, a.b)`` (``x`` may be a submodule or a
    name defined in ``a.b``); relative forms are resolved against ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            yield from ((f"{source}.{alias.name}", source) for alias in node.names)


def import_graph(files: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (the longest existing name of each import)."""
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        edges: set[str] = set()
        for name, fallback in imported_names(tree, module, path.name == "__init__.py"):
            target = name if name in files else fallback
            while target not in files and "." in target:  # import a.b.c where c is a name
                target = target.rpartition(".")[0]
            if target in files and target != module:
                edges.add(target)
        graph[module] = edges
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def cycle_edges(graph: Mapping[str, Iterable[str]], component: frozenset[str]) -> list[str]:
    return sorted(f"{a} -> {b}" for a in component for b in graph.get(a, ()) if b in component)


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def layer_of(module: str, layers: list[tuple[str, tuple[str, ...]]] = LAYERS) -> int | None:
    """The index in ``layers`` of the longest name covering ``module``; the package's own
    ``__init__`` is named ``node_timing.__init__``."""
    name = f"{module}.__init__" if module == PACKAGE else module
    best: tuple[int, int] | None = None  # (length of the name, layer)
    for index, (_, names) in enumerate(layers):
        for covering in names:
            if _in(name, covering) and (best is None or len(covering) > best[0]):
                best = (len(covering), index)
    return None if best is None else best[1]


def layering_violations(
    graph: Mapping[str, Iterable[str]], layers: list[tuple[str, tuple[str, ...]]] = LAYERS
) -> list[str]:
    """Every import edge that goes against the layers, as ``a -> b: why``."""
    bad: list[str] = []
    for module, targets in sorted(graph.items()):
        mine = layer_of(module, layers)
        if mine is None:
            bad.append(f"{module}: in no layer (add it to LAYERS and docs/architecture.md)")
            continue
        for target in sorted(targets):
            edge = f"{module} -> {target}"
            if target == RUNNER and module not in RUNS_THE_LINTER:
                bad.append(f"{edge}: only modules that run the linter import the runner")
            theirs = layer_of(target, layers)
            if theirs is not None and theirs > mine:
                bad.append(f"{edge}: {layers[mine][0]} imports from {layers[theirs][0]}, above it")
    return bad


def test_no_import_cycle_beyond_the_known_ones() -> None:
    graph = import_graph(module_files())
    found = cycles(graph)
    new = [c for c in found if c not in KNOWN_CYCLES]
    assert not new, "import cycles: " + "; ".join(", ".join(cycle_edges(graph, c)) for c in new)
    stale = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert not stale, f"no longer a cycle, remove from KNOWN_CYCLES: {stale}"


def test_layers_import_downwards() -> None:
    graph = import_graph(module_files())
    assert not layering_violations(graph), "\n".join(layering_violations(graph))
    for module in RUNS_THE_LINTER:  # an entry that imports no runner is stale
        assert RUNNER in graph[module], f"{module} no longer imports the runner: remove it"


def test_no_module_over_the_line_limit() -> None:
    files = [*module_files().values(), *sorted((REPO / "plugins").rglob("*.py"))]
    sizes = {str(p.relative_to(REPO)): len(p.read_text("utf-8").splitlines()) for p in files}
    over = {name: n for name, n in sizes.items() if n > MAX_LINES and name not in OVERSIZED}
    assert not over, f"modules over {MAX_LINES} lines (split them): {over}"
    stale = [
        name
        for name in OVERSIZED
        if name not in sizes or (sizes[name] <= MAX_LINES and name not in MAY_BE_WITHIN)
    ]
    assert not stale, f"within {MAX_LINES} lines now, remove from OVERSIZED: {stale}"


def test_the_checks_catch_a_synthetic_cycle_and_bad_edges() -> None:
    graph = {
        "node_timing.a": {"node_timing.b"},
        "node_timing.b": {"node_timing.c"},
        "node_timing.c": {"node_timing.a"},
        "node_timing.d": {"node_timing.a"},
        "node_timing.evaluate.x": {"node_timing.render.y", RUNNER},
        "node_timing.inventory.z": {"node_timing.evaluate.x"},
        "node_timing.render.y": set(),
        "node_timing.fix.plan": {"node_timing.rules.r"},
        "node_timing.rules.r": {"node_timing.fix.plan"},  # fix.plan is below rules, fix is not
        "node_timing.unlisted": set(),
        RUNNER: set(),
    }
    abc = frozenset({"node_timing.a", "node_timing.b", "node_timing.c"})
    assert abc in cycles(graph)
    assert "node_timing.c -> node_timing.a" in cycle_edges(graph, abc)
    bad = layering_violations(graph)
    assert any(v.startswith("node_timing.evaluate.x -> node_timing.rules.runner") for v in bad)
    assert any(v.startswith("node_timing.evaluate.x -> node_timing.render.y") for v in bad)
    assert any(v.startswith("node_timing.inventory.z -> node_timing.evaluate.x") for v in bad)
    assert any(v.startswith("node_timing.fix.plan -> node_timing.rules.r") for v in bad)
    assert not any(v.startswith("node_timing.rules.r ->") for v in bad)
    assert any(v.startswith("node_timing.unlisted: in no layer") for v in bad)
    assert cycles({"node_timing.a": {"node_timing.b"}, "node_timing.b": set()}) == []


def test_every_layer_names_modules_that_exist() -> None:
    files = module_files()
    for layer, names in LAYERS:
        for name in names:
            module = PACKAGE if name == f"{PACKAGE}.__init__" else name
            assert any(_in(m, module) for m in files), f"{layer}: {name} names no module"


def test_the_parser_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import leaf\n")
    (pkg / "sub" / "leaf.py").write_text("def f():\n    from .. import low\n    return low\n")
    graph = import_graph(module_files(tmp_path))
    assert graph["node_timing.sub"] == {"node_timing.sub.leaf"}
    assert graph["node_timing.sub.leaf"] == {"node_timing.low"}
