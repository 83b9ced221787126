"""Lint, explain and fix judge the value the components run (evaluate/resolution.py wired in)."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lintkit import lint, make_inventory, of

from node_timing.cli import main
from node_timing.rules.runner import lint_inventory

K8S = "group_vars/k8s_cluster/t.yml"


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(args))
    return code, out.getvalue()


def dup(tmp_path: Path, version: str, user: str, extra: str = "", **options: object) -> list:
    return lint(
        tmp_path,
        {
            K8S: f"""
            kube_version: {version}
            kube_controller_node_monitor_grace_period: 40s
            kube_kubeadm_controller_extra_args:
              node-monitor-grace-period: {user}
            {extra}
            """
        },
        **options,
    )


def grace_runs(findings: list) -> str:
    (f,) = of(findings, "duplicate-setting")
    return str(f.extra.get("runs"))


# --- duplicates ----------------------------------------------------------------------------------


def test_v1beta4_sorted_release_user_value_sorting_before_is_ignored(tmp_path: Path) -> None:
    findings = dup(tmp_path, "1.34.3", "20s")
    assert grace_runs(findings) == "40s"
    (f,) = of(findings, "duplicate-setting")
    assert "sorts" in f.message and "40s runs" in f.message
    # the other rules judge 40s, not the 20s written last
    assert not any("grace 20s" in x.message for x in findings)


def test_v1beta4_sorted_release_user_value_sorting_after_runs(tmp_path: Path) -> None:
    assert grace_runs(dup(tmp_path, "1.34.3", "60s")) == "1m0s"  # normalised


def test_v1beta4_user_order_release_runs_the_extra_args_value(tmp_path: Path) -> None:
    findings = dup(tmp_path, "1.35.1", "20s")
    assert grace_runs(findings) == "20s"
    assert "keeps extraArgs in kubespray's order" in of(findings, "duplicate-setting")[0].message


def test_v1beta4_minor_only_is_not_fixable_and_shows_both(tmp_path: Path) -> None:
    (f,) = of(dup(tmp_path, "'1.35'", "20s"), "duplicate-setting")
    assert not f.fixable and "runs" not in f.extra
    assert '"40s"' in f.message and '"20s"' in f.message and "1.35.1" in f.message


def test_v1beta3_duplicate_fails_validation(tmp_path: Path) -> None:
    for user in ("20s", "60s"):
        (f,) = of(
            dup(tmp_path / user, "1.34.3", user, "kubeadm_config_api_version: v1beta3"),
            "duplicate-setting",
        )
        assert "kubeadm config validate" in f.message and not f.fixable


def test_a_release_with_only_the_v1beta4_template_ignores_the_inventorys_v1beta3(
    tmp_path: Path,
) -> None:
    """kubespray 2.31 renders kubeadm-config.v1beta4.yaml.j2 whatever kubeadm_config_api_version
    says (the variable is gone); 2.30 renders the template the variable names."""
    extra = "kubeadm_config_api_version: v1beta3"
    (old,) = of(
        dup(tmp_path / "a", "1.34.3", "20s", extra, kubespray_version="2.30"), "duplicate-setting"
    )
    assert "kubeadm config validate" in old.message
    new = dup(tmp_path / "b", "1.34.3", "20s", extra, kubespray_version="2.31")
    assert grace_runs(new) == "40s"  # v1beta4 before kubernetes#135400: sorted, 40s runs
    # a guessed release decides nothing: the inventory's v1beta3 is what kubespray renders
    (guessed,) = of(dup(tmp_path / "c", "1.34.3", "20s", extra), "duplicate-setting")
    assert "kubeadm config validate" in guessed.message


def test_v1beta3_without_validation_last_key_wins(tmp_path: Path) -> None:
    extra = (
        "kubeadm_config_api_version: v1beta3\n            kubeadm_config_validate_enabled: false"
    )
    for user in ("20s", "60s"):
        assert (
            grace_runs(dup(tmp_path / user, "1.34.3", user, extra))
            == {"20s": "20s", "60s": "1m0s"}[user]
        )


def test_toleration_seconds_compare_as_text(tmp_path: Path) -> None:
    findings = lint(
        tmp_path,
        {
            K8S: """
            kube_version: 1.34.0
            kube_kubeadm_apiserver_extra_args:
              default-not-ready-toleration-seconds: "30"
            """
        },
    )
    (f,) = of(findings, "duplicate-setting")
    assert f.extra["runs"] == "300"


def test_explain_shows_the_value_kubeadm_runs(tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {
            K8S: """
            kube_version: 1.34.3
            kube_kubeadm_controller_extra_args:
              node-monitor-grace-period: 20s
            """
        },
    )
    code, out = run_cli("explain", str(inv))
    assert code == 0
    line = next(x for x in out.splitlines() if "node_monitor_grace_period" in x)
    assert " 40s " in line
    assert "sorts" in out


def test_fix_keeps_the_running_value(tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {
            K8S: """
            kube_version: 1.34.3
            kube_kubeadm_controller_extra_args:
              node-monitor-grace-period: 20s
            """
        },
    )
    run_cli("fix", "--rules", "duplicate-setting", str(inv))
    data = yaml.safe_load((inv / K8S).read_text())
    assert data["kube_controller_node_monitor_grace_period"] == "40s"
    assert "node-monitor-grace-period" not in (data.get("kube_kubeadm_controller_extra_args") or {})


# --- kubelet defaulting --------------------------------------------------------------------------


def test_zero_kubelet_values_mean_unset(tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {
            K8S: """
            kubelet_status_update_frequency: 0s
            kubelet_config_extra_args:
              nodeStatusReportFrequency: 0s
              nodeLeaseDurationSeconds: 0
            """
        },
    )
    ctx, findings = lint_inventory(inv)
    assert not [f for f in findings if f.severity == "error"], findings
    k = ctx.kubelet_groups[0].settings.kubelet
    # update 0 is unset, so the report frequency does not inherit it: 5m
    assert (k.node_status_update_frequency, k.node_lease_duration_seconds) == (10 * 10**9, 40)
    assert k.node_status_report_frequency == 300 * 10**9


def test_negative_kubelet_values_are_errors(tmp_path: Path) -> None:
    findings = lint(
        tmp_path,
        {
            K8S: """
            kubelet_status_update_frequency: -5s
            kubelet_config_extra_args:
              nodeLeaseDurationSeconds: -1
            """
        },
    )
    errors = [f for f in findings if f.severity == "error"]
    assert any("-5s" in f.message for f in errors)
    assert any("-1" in f.message for f in errors)


# --- kubelet_custom_flags ------------------------------------------------------------------------


def test_custom_flag_overrides_the_file(tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {
            K8S: """
            kubelet_status_update_frequency: 10s
            kubelet_custom_flags:
              - "--node-status-update-frequency=4s"
              - "--node-lease-duration-seconds=16"
            """
        },
    )
    ctx, findings = lint_inventory(inv)
    k = ctx.kubelet_groups[0].settings.kubelet
    assert k.node_status_update_frequency == 4 * 10**9
    assert k.node_status_report_frequency == 10 * 10**9  # the file's value: flags derive nothing
    assert any("overrides kubelet_status_update_frequency" in f.message for f in findings)
    assert any(
        f.rule == "misplaced-setting" and "no --node-lease-duration-seconds flag" in f.message
        for f in findings
    )
    code, out = run_cli("explain", str(inv))
    assert code == 0 and "kubelet_custom_flags --node-status-update-frequency" in out


def test_custom_flags_string_never_arrives(tmp_path: Path) -> None:
    findings = lint(tmp_path, {K8S: 'kubelet_custom_flags: "--node-status-update-frequency=4s"\n'})
    assert any("character by character" in f.message for f in of(findings, "misplaced-setting"))


# --- unknown top-level variables -----------------------------------------------------------------


def test_invented_variable_is_reported_with_the_real_key(tmp_path: Path) -> None:
    findings = lint(
        tmp_path,
        {
            K8S: """
            kube_controller_node_startup_grace_period: 2m0s
            kubelet_shutdown_grace_period: 60s
            """
        },
    )
    (f,) = of(findings, "unknown-setting")
    assert "kube_controller_node_startup_grace_period" in f.message
    assert f.extra["suggestion"] == "kube_kubeadm_controller_extra_args.node-startup-grace-period"


# --- taint manager -------------------------------------------------------------------------------


def test_pod_eviction_timeout_applies_at_126_with_taint_manager_off(tmp_path: Path) -> None:
    files = {
        K8S: """
        kube_kubeadm_controller_extra_args:
          enable-taint-manager: false
          pod-eviction-timeout: 30s
        """
    }
    at_126 = of(lint(tmp_path / "a", files, kube_version="1.26"), "removed-setting")
    # each message also names the other flag (removing one changes when pods go): by setting
    pet = next(f for f in at_126 if (f.setting or "").endswith(".pod-eviction-timeout"))
    assert pet.severity == "warning" and "applies" in pet.message and not pet.fixable
    etm = next(f for f in at_126 if (f.setting or "").endswith(".enable-taint-manager"))
    assert "1.25" in etm.message and not etm.fixable
    at_127 = of(lint(tmp_path / "b", files, kube_version="1.27"), "removed-setting")
    assert len(at_127) == 2 and all(f.severity == "error" for f in at_127)


# --- fix never worse -----------------------------------------------------------------------------


def findings_by_host(inv: Path) -> set[tuple[str, str]]:
    _ctx, findings = lint_inventory(inv)
    return {(f.rule, h) for f in findings for h in f.hosts}


def test_fix_on_kubesprays_fast_values_adds_no_warning(tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {
            K8S: """
            kubelet_status_update_frequency: 4s
            kube_controller_node_monitor_grace_period: 20s
            kube_controller_node_monitor_period: 2s
            """
        },
    )
    before = findings_by_host(inv)
    assert "report-frequency" in {r for r, _h in before}
    run_cli("fix", str(inv))
    after = findings_by_host(inv)
    assert after <= before and "report-frequency" not in {r for r, _h in after}
    lease = yaml.safe_load((inv / "group_vars/k8s_cluster/node-timing.yml").read_text())
    assert lease["kubelet_config_extra_args"]["nodeLeaseDurationSeconds"] == 16


def test_zero_hosts_do_not_write_zero_updates() -> None:
    from dataclasses import replace

    from node_timing.evaluate.context import host_context
    from node_timing.rules import report_frequency

    ctx = host_context({"kubelet_status_update_frequency": "4s"}, None, None, None, "h", "inv")
    empty = replace(ctx.kubelet_groups[0], hosts=[])
    ctx = replace(ctx, kubelet_groups=[empty], groups=[empty])
    (f,) = list(report_frequency.check(ctx))
    assert "inherits" in f.message
    assert "0 nodes" not in f.message and "0 Node status" not in f.message


DURATIONS = st.sampled_from(["2s", "4s", "10s", "20s"])
GRACES = st.sampled_from(["10s", "20s", "40s", "50s", "1m0s"])
kubelet_args = st.fixed_dictionaries(
    {},
    optional={
        "nodeStatusReportFrequency": st.sampled_from(["0s", "4s", "1m0s", "5m0s"]),
        "nodeLeaseDurationSeconds": st.sampled_from([0, 10, 16, 40]),
        "nodeStatusUpdateFrequency": DURATIONS,
    },
)
group_vars = st.fixed_dictionaries(
    {"kube_version": st.sampled_from(["1.34.3", "1.35", "1.35.1", "1.36"])},
    optional={
        "kubelet_status_update_frequency": DURATIONS,
        "kube_controller_node_monitor_grace_period": GRACES,
        "kube_controller_node_monitor_period": st.sampled_from(["2s", "5s"]),
        "kubelet_config_extra_args": kubelet_args,
        "kube_kubeadm_controller_extra_args": st.fixed_dictionaries(
            {}, optional={"node-monitor-grace-period": GRACES}
        ),
        "kube_kubeadm_apiserver_extra_args": st.fixed_dictionaries(
            {}, optional={"default-not-ready-toleration-seconds": st.sampled_from(["30", "600"])}
        ),
        "kubelet_custom_flags": st.sampled_from(
            [[], ["--node-status-update-frequency=4s"], ["--max-pods=200"]]
        ),
    },
)
host_vars = st.dictionaries(
    st.sampled_from(["node1", "node2"]),
    st.fixed_dictionaries(
        {},
        optional={
            "kubelet_status_update_frequency": DURATIONS,
            "kubelet_config_extra_args": kubelet_args,
        },
    ),
    max_size=2,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group_vars, host_vars)
def test_fix_never_adds_a_finding(cluster: dict, hosts: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = {K8S: yaml.safe_dump(cluster)}
        for host, data in hosts.items():
            files[f"host_vars/{host}.yml"] = yaml.safe_dump(data)
        inv = make_inventory(Path(tmp), files)
        before = findings_by_host(inv)
        run_cli("fix", str(inv))
        after = findings_by_host(inv)
        assert after <= before, sorted(after - before)


def test_fix_leaves_a_variable_other_hosts_read(tmp_path: Path) -> None:
    """A duplicate fixed in the group's extra-args dict must not rewrite the group_vars variable
    that node1 (whose own empty dict replaces the group's) still runs."""
    cluster = {
        "kube_version": "1.35.1",
        "kubelet_status_update_frequency": "2s",
        "kube_controller_node_monitor_grace_period": "10s",
        "kubelet_config_extra_args": {
            "nodeLeaseDurationSeconds": 10,
            "nodeStatusUpdateFrequency": "4s",
        },
    }
    files = {K8S: yaml.safe_dump(cluster), "host_vars/node1.yml": "kubelet_config_extra_args: {}\n"}
    inv = make_inventory(tmp_path, files)
    before = findings_by_host(inv)
    assert ("duplicate-setting", "node2") in before
    run_cli("fix", str(inv))
    assert findings_by_host(inv) <= before
    assert "kubelet_status_update_frequency: 2s" in (inv / K8S).read_text(encoding="utf-8")
