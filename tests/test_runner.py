"""The runner's merge of findings from several host groups, as the Ansible filter uses it."""

from __future__ import annotations

from node_timing.findings import Finding
from node_timing.rules.runner import check_hosts, merge_findings

GRACE = "kube_controller_node_monitor_grace_period"


def test_check_hosts_merges_groups_and_keeps_the_column() -> None:
    bad = {GRACE: "forty"}
    found = check_hosts(
        [
            (bad, ["b", "a"], {GRACE: ("inv/all.yml", 3, 5)}),
            (dict(bad), ["c"], {GRACE: ("inv/all.yml", 3, 5)}),
            # Same file, line and text at another column: another place, not merged.
            (dict(bad), ["d"], {GRACE: ("inv/all.yml", 3, 9)}),
        ]
    )
    duration = [f for f in found if f.rule == "duration-format"]
    assert [(f.column, f.hosts) for f in duration] == [(5, ("a", "b", "c")), (9, ("d",))]
    assert duration[0].to_dict()["column"] == 5


def test_merge_findings_unions_hosts_and_noqa_and_sorts() -> None:
    one = Finding("r", "error", "m", "b.yml", 2, 1, ("h2",), extra={"noqa": frozenset({"x"})})
    two = Finding("r", "error", "m", "b.yml", 2, 1, ("h1",), extra={"noqa": frozenset({"y"})})
    other = Finding("r", "error", "m", "a.yml", 9, 0, ("h3",))
    merged = merge_findings([one, two, other])
    assert [f.path for f in merged] == ["a.yml", "b.yml"]
    assert merged[1].hosts == ("h1", "h2")
    assert merged[1].extra["noqa"] == frozenset({"x", "y"})
