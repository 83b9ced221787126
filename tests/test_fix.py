"""`node-timing fix`: every fixable finding repaired, and nothing else touched, byte for byte."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from node_timing.cli import main
from node_timing.rules.runner import lint_inventory

ROOT = Path(__file__).resolve().parent.parent
COMMENTED = ROOT / "tests" / "fixtures" / "fix" / "commented"
MYCLUSTER = ROOT / "examples" / "inventory" / "mycluster"
FIXABLE = {
    "seconds-format",
    "removed-setting",
    "duplicate-setting",
    "report-frequency",
    "misplaced-setting",
    "duration-format",
}
K8S = "group_vars/k8s_cluster/k8s-cluster.yml"


def copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def changed_lines(old: bytes, new: bytes) -> tuple[set[int], list[str]]:
    """(1-based numbers of old lines removed or replaced, new lines added)."""
    a, b = old.decode().splitlines(), new.decode().splitlines()
    removed: set[int] = set()
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed.update(range(i1 + 1, i2 + 1))
            added.extend(b[j1:j2])
    return removed, added


def rules_left(inv: Path) -> set[str]:
    _ctx, findings = lint_inventory(inv)
    return {f.rule for f in findings}


def test_commented_inventory_changes_only_the_lines_that_must_change(tmp_path, capsys):
    inv = copy(COMMENTED, tmp_path)
    before = snapshot(inv)
    assert rules_left(inv) >= FIXABLE

    assert main(["fix", str(inv)]) == 8

    after = snapshot(inv)
    assert set(after) == set(before)  # no file created or lost
    diffs = {
        rel: changed_lines(before[rel], after[rel]) for rel in before if before[rel] != after[rel]
    }
    assert diffs == {
        K8S: (
            {18, 21, 26, 32, 33, 36},
            [
                "kube_apiserver_pod_eviction_not_ready_timeout_seconds: '30'   # quoted on purpose",
                "  nodeLeaseDurationSeconds: 16    # 4s renew interval",
                "  nodeStatusReportFrequency: 5m0s",
                'kube_kubeadm_apiserver_extra_args: {profiling: "false"}  # flow style',
            ],
        ),
        "host_vars/node3.yml": ({5}, ["  nodeStatusReportFrequency: 5m0s     # seconds"]),
        "inventory.ini": (
            {13, 22},
            [
                "node2 ansible_host=10.0.0.12 kubelet_status_update_frequency=10s   # old hardware",
                'kube_apiserver_pod_eviction_unreachable_timeout_seconds="60"',
            ],
        ),
    }
    assert not (FIXABLE & rules_left(inv))
    out = capsys.readouterr()
    assert "grace-vs-http2" in out.out  # what is left is printed
    assert "fixed: " in out.err


def test_a_new_key_goes_after_its_siblings(tmp_path):
    inv = copy(COMMENTED, tmp_path)
    main(["fix", str(inv)])
    text = (inv / K8S).read_text()
    assert "  imageGCHighThresholdPercent: 85\n  nodeStatusReportFrequency: 5m0s\n" in text


def test_fixing_twice_equals_fixing_once(tmp_path):
    inv = copy(COMMENTED, tmp_path)
    assert main(["fix", str(inv)]) == 8
    once = snapshot(inv)
    assert main(["fix", str(inv)]) == 0
    assert snapshot(inv) == once


@pytest.mark.parametrize(("number", "fixed"), [("90", "1m30s"), ("9223372037", None)])
def test_bare_seconds_become_a_duration_only_when_go_can_hold_it(tmp_path, number, fixed):
    inv = tmp_path / "inventory"
    (inv / "group_vars" / "k8s_cluster").mkdir(parents=True)
    (inv / "inventory.ini").write_text("[kube_control_plane]\ncp1\n[kube_node]\nnode1\n")
    (inv / K8S).write_text(f"kubelet_status_update_frequency: {number}  # kept\n")
    code = main(["fix", str(inv)])
    text = (inv / K8S).read_text()
    if fixed:
        assert code == 8
        assert text == f"kubelet_status_update_frequency: {fixed}  # kept\n"
    else:
        assert code == 2  # the error stays, reported, and nothing is written
        assert text == f"kubelet_status_update_frequency: {number}  # kept\n"


def test_example_inventory_is_fixed(tmp_path):
    inv = copy(MYCLUSTER, tmp_path)
    assert main(["fix", str(inv)]) == 8
    assert not (FIXABLE & rules_left(inv))
    node07 = (inv / "host_vars" / "node07.yml").read_text()
    assert "  nodeStatusReportFrequency: 5m0s\n" in node07  # every winning dict gets the key
    assert main(["fix", str(inv)]) == 0


VAULT_FILE = b"""$ANSIBLE_VAULT;1.1;AES256
62313365396662343061393464336163383764373764613633653634306231386433626436623361
6134333665353966363534333632666535333761666131620a663537646436643839616531643561
"""
INLINE_VAULT = """\
db_password: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          62313365396662343061393464336163383764373764613633653634306231386433626436623361
          6134333665353966363534333632666535333761666131620a663537646436643839616531643561
"""


def test_vault_bytes_are_untouched(tmp_path):
    inv = copy(MYCLUSTER, tmp_path)
    (inv / "group_vars" / "all" / "vault.yml").write_bytes(VAULT_FILE)
    k8s = inv / K8S
    k8s.write_text(
        k8s.read_text().replace(
            "kube_network_plugin: calico\n", "kube_network_plugin: calico\n" + INLINE_VAULT
        )
    )
    assert main(["fix", str(inv)]) == 8
    assert (inv / "group_vars" / "all" / "vault.yml").read_bytes() == VAULT_FILE
    assert INLINE_VAULT in k8s.read_text()
    assert "kube_controller_pod_eviction_timeout" not in k8s.read_text()


def test_interrupted_write_leaves_the_original(tmp_path, monkeypatch, capsys):
    inv = copy(MYCLUSTER, tmp_path)
    before = snapshot(inv)

    def broken_replace(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    assert main(["fix", str(inv)]) == 2
    assert snapshot(inv) == before  # originals intact, no temporary file left behind
    assert "not written" in capsys.readouterr().err


def test_file_changed_on_disk_is_not_written(tmp_path, monkeypatch, capsys):
    import node_timing.fix as fix

    inv = copy(MYCLUSTER, tmp_path)
    k8s = inv / K8S
    real_run_fix = fix.run_fix

    def run_fix_then_edit(*args, **kwargs):
        result = real_run_fix(*args, **kwargs)
        k8s.write_text(k8s.read_text() + "# edited meanwhile\n")
        return result

    monkeypatch.setattr(fix, "run_fix", run_fix_then_edit)
    assert main(["fix", str(inv)]) == 2
    assert k8s.read_text().endswith("# edited meanwhile\n")
    assert "kube_controller_pod_eviction_timeout" in k8s.read_text()
    assert "changed on disk" in capsys.readouterr().err


def test_check_writes_nothing_and_exits_2(tmp_path, capsys):
    inv = copy(COMMENTED, tmp_path)
    before = snapshot(inv)
    assert main(["fix", "--check", str(inv)]) == 2
    assert snapshot(inv) == before
    err = capsys.readouterr().err
    assert "would fix" in err
    # the findings printed are those that would remain: the last line says why the exit is 2
    assert err.splitlines()[-1].startswith("node-timing: --check: ")
    assert err.splitlines()[-1].endswith(" would change; nothing was written (exit 2)")


def test_check_on_a_clean_inventory_says_nothing_would_change(tmp_path, capsys):
    inv = copy(ROOT / "examples" / "inventory" / "upstream-explicit", tmp_path)
    assert main(["fix", "--check", str(inv)]) == 0
    assert "would change" not in capsys.readouterr().err


def test_check_on_a_clean_inventory_exits_0(tmp_path):
    inv = copy(ROOT / "examples" / "inventory" / "upstream-explicit", tmp_path)
    before = snapshot(inv)
    assert main(["fix", "--check", str(inv)]) == 0
    assert main(["fix", str(inv)]) == 0
    assert snapshot(inv) == before


def test_diff_shows_the_changes(tmp_path, capsys):
    inv = copy(MYCLUSTER, tmp_path)
    assert main(["fix", "--check", "--diff", str(inv)]) == 2
    out = capsys.readouterr().out
    assert "-kube_controller_pod_eviction_timeout: 30s\n" in out
    assert "+  nodeStatusReportFrequency: 5m0s\n" in out
    assert "-  node-monitor-grace-period: 20s\n" in out


def test_rules_limits_the_repairs(tmp_path):
    inv = copy(COMMENTED, tmp_path)
    main(["fix", "--rules", "seconds-format", str(inv)])
    left = rules_left(inv)
    assert "seconds-format" not in left
    assert {"removed-setting", "duplicate-setting", "duration-format"} <= left


def test_unknown_rule_is_a_usage_error(tmp_path, capsys):
    assert main(["fix", "--rules", "no-such-rule", str(tmp_path)]) == 3
    assert capsys.readouterr().err.count("\n") == 1


def test_missing_inventory_exits_5(tmp_path):
    assert main(["fix", str(tmp_path / "nope")]) == 5


def test_profile_sets_every_timing_setting(tmp_path):
    from node_timing import profiles
    from node_timing.evaluate.cluster import cluster_settings

    inv = copy(MYCLUSTER, tmp_path)
    main(["fix", "--profile", "fast", str(inv)])
    cluster = cluster_settings(inv)
    settings = cluster.settings
    expected = profiles.compute("fast", 15, str(cluster.version)).settings
    assert settings.controller_manager == expected.controller_manager
    assert settings.apiserver == expected.apiserver
    k = settings.kubelet
    assert (
        k.node_status_update_frequency,
        k.node_status_report_frequency,
        k.node_lease_duration_seconds,
    ) == (
        expected.kubelet.node_status_update_frequency,
        expected.kubelet.node_status_report_frequency,
        expected.kubelet.node_lease_duration_seconds,
    )


def test_report_frequency_creates_the_dict_when_none_exists(tmp_path):
    from lintkit import make_inventory

    inv = make_inventory(
        tmp_path, {K8S: "kube_version: v1.35.4\n# timing\nkubelet_status_update_frequency: 10s\n"}
    )
    assert main(["fix", str(inv)]) == 8
    created = inv / "group_vars" / "k8s_cluster" / "node-timing.yml"
    assert "kubelet_config_extra_args:\n  nodeStatusReportFrequency: 5m0s\n" in created.read_text()
    assert (
        inv / K8S
    ).read_text() == "kube_version: v1.35.4\n# timing\nkubelet_status_update_frequency: 10s\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "kube_version: v1.35.4\nkube_controller_node_monitor_grace_period: 50s\n"
            "kube_kubeadm_controller_extra_args:\n  node-monitor-grace-period: 20s  # tuned\n"
            "kubelet_config_extra_args: {nodeStatusReportFrequency: 5m0s}\n",
            "kube_version: v1.35.4\nkube_controller_node_monitor_grace_period: 20s\n"
            "kube_kubeadm_controller_extra_args: {}\n"
            "kubelet_config_extra_args: {nodeStatusReportFrequency: 5m0s}\n",
        ),
        (
            "kube_version: v1.35.4\r\nkube_kubeadm_controller_extra_args:\r\n"
            "  pod-eviction-timeout: 2m\r\n"
            "kubelet_config_extra_args: {nodeStatusReportFrequency: 5m0s}\r\n",
            "kube_version: v1.35.4\r\nkube_kubeadm_controller_extra_args: {}\r\n"
            'kube_apiserver_pod_eviction_not_ready_timeout_seconds: "120"\r\n'
            'kube_apiserver_pod_eviction_unreachable_timeout_seconds: "120"\r\n'
            "kubelet_config_extra_args: {nodeStatusReportFrequency: 5m0s}\r\n",
        ),
    ],
    ids=["duplicate-differs-emptied-dict", "removed-flag-crlf"],
)
def test_small_repairs(tmp_path, text, expected):
    from lintkit import make_inventory

    inv = make_inventory(tmp_path, {})
    (inv / K8S).parent.mkdir(parents=True)
    (inv / K8S).write_bytes(text.encode())
    main(["fix", str(inv)])
    assert (inv / K8S).read_bytes().decode() == expected


def test_remaining_findings_are_not_called_passed(tmp_path, capsys):
    inv = copy(ROOT / "examples" / "inventory" / "mycluster", tmp_path)
    assert main(["fix", "--check", str(inv)]) == 2
    out = capsys.readouterr().out
    # fix's verdict is its exit code, not the remaining findings': no "Passed:" above an exit 2
    assert "Passed:" not in out and "\nWould remain: " in out
    assert main(["fix", str(inv)]) == 8
    captured = capsys.readouterr()
    assert "Passed:" not in captured.out and "\nRemaining: " in captured.out
    assert captured.err.splitlines()[-1].endswith("nothing left fails (exit 8: fixed)")
