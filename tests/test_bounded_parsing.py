"""Bounds on reading inventories: YAML tags Ansible cannot construct, integers past Python's digit
limit, the node count of a file, ``!unsafe`` values and host ranges, all refused before anything
big is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from node_timing.inventory import InventoryError, ini, load_inventory, yamlpos
from node_timing.templating import UnsafeText


def _problem(text: str) -> str:
    doc, problems = yamlpos.parse_yaml("f.yml", text)
    assert doc is None and len(problems) == 1
    p = problems[0]
    assert p.kind == "yaml-load" and p.severity == "error"
    return f"{p.line}:{p.column}: {p.message}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!foo 5", "unknown YAML tag '!foo'"),
        ("!foo [1]", "unknown YAML tag '!foo'"),
        ("!!python/object/apply:os.system [id]", "unknown YAML tag '!!python/object/apply"),
        ("!!python/name:os.system ''", "unknown YAML tag '!!python/name:os.system'"),
        ('!!int "40s"', "'40s' is not a valid !!int"),
        ('!!float "abc"', "'abc' is not a valid !!float"),
        ("!!bool maybe", "'maybe' is not a valid !!bool"),
        ("2001-13-45", "'2001-13-45' is not a valid !!timestamp"),
        ("!!omap [1, 2]", "not a valid !!omap"),
        ("{[1]: 2}", "a list or mapping used as a mapping key"),
        ("{<<: 5}", "a merge key (<<) needs a mapping"),
        ("[<<]", "'<<' (YAML's merge key) used as a value"),
        ("=", "'=' alone is YAML 1.1's value key"),
        ("9" * 4301, "an integer of more than 4,300 digits"),
    ],
)
def test_values_ansible_cannot_construct_are_refused_at_their_node(
    value: str, message: str
) -> None:
    got = _problem(f"a: 1\nb:\n  - x\n  - {value}\n")
    assert got.startswith("4:5: invalid YAML: ") and message in got
    assert "loads nothing from the file" in got


@pytest.mark.parametrize(
    "value",
    ["9" * 4300, "!!int '0x" + "f" * 5000 + "'", "!!set {a, b}", "!!binary aGk=", "!!omap [a: 1]"],
)
def test_what_ansible_constructs_is_kept(value: str) -> None:
    doc, problems = yamlpos.parse_yaml("f.yml", f"a: {value}\n")
    assert problems == [] and doc is not None and doc.root is not None


def test_the_first_bad_node_in_the_document_is_reported() -> None:
    assert _problem("a: !!int x\nb: !!float y\n").startswith("1:4:")


def test_node_limit_is_counted_before_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlpos, "MAX_NODES", 100)
    text = "".join(f"k{i}: {i}\n" for i in range(60))  # 120 nodes and the root
    got = _problem(text)
    assert got.startswith("50:6: not checked: more than 100 YAML nodes")  # the value of k49
    doc, problems = yamlpos.parse_yaml("f.yml", "".join(f"k{i}: {i}\n" for i in range(49)))
    assert doc is not None and problems == []


def test_unsafe_values_are_never_templated(tmp_path: Path) -> None:
    (tmp_path / "hosts").write_text("h\n")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/all.yml").write_text(
        "a: !unsafe '{{ x }}'\nb: !unsafe ['{{ x }}', {'{{ k }}': '{{ v }}'}]\nc: '{{ x }}'\n"
    )
    hv = load_inventory(tmp_path / "hosts").host_vars("h")
    assert isinstance(hv["a"].value, UnsafeText) and not hv["a"].templated
    item, mapping = hv["b"].value
    assert isinstance(item, UnsafeText)
    assert all(isinstance(s, UnsafeText) for pair in mapping.items() for s in pair)
    assert hv["c"].templated


def test_unsafe_text_is_written_as_text() -> None:
    from node_timing.serialize import to_yaml

    assert to_yaml({"a": [UnsafeText("{{ x }}")]}) == "a:\n- '{{ x }}'\n"


@pytest.mark.parametrize(
    ("pattern", "count"),
    [("node[1:3]", 3), ("n[01:10]x[a:c]", 30), ("x[1:9:4]", 3), ("a[5:1]b[x", 0), ("plain", 1)],
)
def test_count_hosts_is_the_product_of_the_ranges(pattern: str, count: int) -> None:
    assert ini.count_hosts(pattern) == count
    assert len(ini.expand_hostpattern(pattern)[0]) == count


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("node[1:10000000]", "expands to more than 100,000 hosts"),
        ("n[1:100000]x[1:100000]", "expands to more than 100,000 hosts"),
        ("n[1:" + "9" * 32 + "]", "a host range bound has more than 18 digits"),
        ("n[" + "9" * 5000 + ":1]", "a host range bound has more than 18 digits"),
        ("host:" + "1" * 5000, "is out of range"),
    ],
)
def test_huge_patterns_are_refused_before_expanding(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ini.expand_hostpattern(pattern)


def test_the_limit_itself_expands() -> None:
    names, _ = ini.expand_hostpattern(f"n[1:{ini.MAX_HOSTS_PER_PATTERN}]")
    assert len(names) == ini.MAX_HOSTS_PER_PATTERN


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("inventory.ini", "[kube_node]\nnode[1:10000000]\n", "inventory.ini:2"),
        ("hosts.yaml", "all:\n  hosts:\n    n[1:200000]:\n", "hosts.yaml:3:5"),
        ("hosts.yaml", "all:\n  hosts:\n    h:\n      x: !!python/name:os.system ''\n", "4:10"),
        ("hosts.yaml", "all:\n  vars:\n    x: " + "9" * 5000 + "\n", "hosts.yaml:3:8"),
    ],
)
def test_an_inventory_refused_says_where(tmp_path: Path, name: str, text: str, where: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(InventoryError, match="no inventory found") as caught:
        load_inventory(tmp_path)
    assert where in str(caught.value)
