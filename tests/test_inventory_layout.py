"""How the inventory package holds together: no import cycle between its modules (imports inside
functions count), no module reaching for another's private names, kubespray's group names read
from the data file rather than written again."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import node_timing.inventory
from node_timing.inventory import builder as builder_module
from node_timing.inventory import load_inventory
from node_timing.knowledge import kubespray

PACKAGE = Path(node_timing.inventory.__file__).resolve().parent
PREFIX = "node_timing.inventory."


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of every import in the file, module level or not."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        if path.stem == "__init__":
            continue
        graph[path.stem] = {
            module.removeprefix(PREFIX)
            for module, _names in imports(path)
            if module.startswith(PREFIX)
        }
    return graph


def test_no_import_cycle_inside_the_package() -> None:
    graph = package_graph()
    assert {"loader", "ansible_fallback", "builder", "graph", "read"} <= set(graph)
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import cycle: " + " -> ".join((*path, name))
        if name in done:
            return
        for dep in sorted(graph.get(name, ())):
            visit(dep, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_the_ansible_fallback_does_not_import_the_loader() -> None:
    assert "loader" not in package_graph()["ansible_fallback"]


def test_no_module_imports_private_names_of_the_package() -> None:
    root = PACKAGE.parent
    offenders = [
        f"{path.relative_to(root)}: {name} from {module}"
        for path in root.rglob("*.py")
        for module, names in imports(path)
        if module.startswith(PREFIX)
        for name in names
        if name.startswith("_")
    ]
    assert offenders == []


def test_the_package_writes_no_kubespray_group_name() -> None:
    facts = kubespray()["groups"]
    names = {facts[k] for k in ("control_plane", "nodes", "etcd", "route_reflectors", "cluster")}
    names |= set(facts["cluster_children"])
    written = [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for path in PACKAGE.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in names
    ]
    assert written == []


def test_the_cluster_group_takes_its_names_from_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hosts.yml").write_text(
        "all:\n  children:\n    masters:\n      hosts:\n        cp1:\n"
        "    workers:\n      hosts:\n        w1:\n    kube_node:\n      hosts:\n        w2:\n"
    )
    data = kubespray()
    renamed = {
        **data,
        "groups": {
            **data["groups"],
            "cluster": "cluster",
            "cluster_children": ["masters", "workers"],
        },
    }
    monkeypatch.setattr(builder_module, "kubespray", lambda: renamed)
    inv = load_inventory(tmp_path / "hosts.yml")
    assert inv.groups["cluster"].synthesized
    assert set(inv.group_hosts("cluster")) == {"cp1", "w1"}
    assert "k8s_cluster" not in inv.groups
