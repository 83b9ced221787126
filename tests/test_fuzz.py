"""Fuzz targets CI runs for a fixed budget: the Go duration parser and the inventory loader.

Arbitrary text and bytes must give a value or the documented error, never another exception.
``fuzz/`` holds the same targets for atheris, for longer runs by hand.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node_timing import durations
from node_timing.inventory import InventoryError, load_inventory
from node_timing.inventory.yamlpos import parse_yaml

BUDGET = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

duration_like = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.+-nsuµμmh d", max_size=30),
    st.from_regex(
        r"\A[+-]?([0-9]{0,25}(\.[0-9]{0,25})?(ns|us|µs|μs|ms|s|m|h)){1,4}\Z", fullmatch=True
    ),
)


@BUDGET
@given(duration_like)
def test_duration_parser(text: str) -> None:
    try:
        ns = durations.parse(text)
    except durations.DurationError:
        return
    assert isinstance(ns, int) and -(1 << 63) <= ns <= (1 << 63) - 1
    # what Go prints reads back to the same value
    assert durations.parse(durations.format(ns)) == ns


YAMLISH = st.sampled_from(
    [
        "a: 1\n",
        "- x\n",
        "&a [*a]\n",
        "<<: *b\n",
        "!vault |\n  $ANSIBLE_VAULT;1.1\n",
        "{",
        "[",
        "---\n",
        "...\n",
        "kube_controller_node_monitor_grace_period: 5s\n",
        "kubelet_config_extra_args: {nodeStatusReportFrequency: 1m}\n",
        "\t",
        "\r\n",
        "\ufeff",
        "? [a]\n: b\n",
        "!!python/object:os.system\n",
        "%YAML 1.1\n",
        "*undefined\n",
    ]
)
yaml_text = st.lists(st.one_of(YAMLISH, st.text(max_size=20)), max_size=8).map("".join)
ini_text = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[kube_node]\n",
                "[k8s_cluster:children]\n",
                "[all:vars]\n",
                "kube_node\n",
                "node[1:3]\n",
                "h ansible_port=22\n",
                "a=b\n",
                "[x:bad]\n",
                "node[9:1]\n",
                "h[a:z:0]\n",
                "'q\n",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=8,
).map("".join)


def _load(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            inv = load_inventory(root)
        except InventoryError:
            return
        for host in inv.hosts:
            inv.host_vars(host)
        for problem in inv.problems:
            assert problem.line >= 0 and os.path.realpath(problem.path).startswith(
                os.path.realpath(root)
            )


@BUDGET
@given(yaml_text)
def test_yaml_parser(text: str) -> None:
    doc, _problems = parse_yaml("f.yml", text)
    if doc is not None and doc.root is not None:
        for key, value in doc.pairs(doc.root):
            try:
                doc.entry(key, value)
            except Exception as exc:  # the loader turns YAMLError into a yaml-load problem
                import yaml

                assert isinstance(exc, yaml.YAMLError), exc


@BUDGET
@given(yaml_text, yaml_text, ini_text, st.binary(max_size=40))
def test_inventory_loader(hosts_yaml: str, group_vars: str, ini: str, raw: bytes) -> None:
    _load(
        {
            "hosts.yaml": hosts_yaml.encode(),
            "group_vars/all.yml": group_vars.encode(),
            "group_vars/kube_node.yml": raw,
        }
    )
    _load(
        {
            "inventory.ini": ini.encode(),
            "host_vars/node1.yml": raw,
            "group_vars/all.yml": group_vars.encode(),
        }
    )
