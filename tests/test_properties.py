"""Property-based tests: generated inventories (every rule's inputs, valid and not) never crash
the linter or the CLI, give well-formed findings inside the inventory, and the same output twice."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node_timing import rules
from node_timing.cli import main
from node_timing.rules.runner import lint_inventory

DURATION_VARS = [
    "kubelet_status_update_frequency",
    "kube_controller_node_monitor_grace_period",
    "kube_controller_node_monitor_period",
]
SECONDS_VARS = [
    "kube_apiserver_pod_eviction_not_ready_timeout_seconds",
    "kube_apiserver_pod_eviction_unreachable_timeout_seconds",
]
KUBELET_KEYS = [
    "nodeStatusReportFrequency",
    "nodeLeaseDurationSeconds",
    "nodeStatusUpdateFrequency",
    "node-status-report-frequency",
    "NodeStatusReportFrequency",
    "nodeStatusReportFrequncy",
]
CONTROLLER_KEYS = [
    "node-monitor-grace-period",
    "node-startup-grace-period",
    "node-eviction-rate",
    "secondary-node-eviction-rate",
    "unhealthy-zone-threshold",
    "large-cluster-size-threshold",
    "pod-eviction-timeout",
    "enable-taint-manager",
    "nodeMonitorGracePeriod",
]
APISERVER_KEYS = ["default-not-ready-toleration-seconds", "default-unreachable-toleration-seconds"]
OTHER_VARS = [
    "kube_version",
    "node_timing_profile",
    "node_timing_node_count",
    "node_timing_overrides",
    "node_timing_heartbeat_budget",
    "node_timing_http2_read_idle_timeout_seconds",
    "kube_controller_pod_eviction_timeout",
    "kube_controller_node_monitor_grace_periods",
    "grace",
]

durations_text = st.one_of(
    st.sampled_from(
        [
            "10s",
            "1m0s",
            "500ms",
            "1.5m",
            "0",
            "-5s",
            "1d",
            "40",
            "",
            "5 s",
            "1h2m3s4ms",
            "9999999999h",
        ]
    ),
    st.from_regex(r"\A-?[0-9]{0,4}(\.[0-9]{0,3})?(ns|us|µs|ms|s|m|h|d|x)?\Z", fullmatch=True),
)
scalars = st.one_of(
    durations_text,
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "{{ grace }}",
            "{{ undefined_var }}",
            "{{ lookup('env', 'X') }}",
            "{{ 1 / 0 }}",
            "{% if %}",
            "yes",
            "0755",
            "v1.35",
            "1.99",
            "fast",
            "nope",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _dict(keys: list[str]) -> st.SearchStrategy[object]:
    return st.one_of(st.dictionaries(st.sampled_from(keys), values, max_size=4), values)


variables = st.fixed_dictionaries(
    {},
    optional={
        **{name: values for name in DURATION_VARS + SECONDS_VARS + OTHER_VARS},
        "kubelet_config_extra_args": _dict(KUBELET_KEYS),
        "kube_kubeadm_controller_extra_args": _dict(CONTROLLER_KEYS),
        "kube_kubeadm_apiserver_extra_args": _dict(APISERVER_KEYS),
    },
)
GROUPS = ["kube_control_plane", "kube_node", "etcd", "calico_rr", "k8s_cluster", "extra", "nested"]
HOST_NAMES = ["cp1", "node1", "node2", "../x", "a;b", "nœud", "$(id)"]

inventories = st.fixed_dictionaries(
    {
        "membership": st.dictionaries(
            st.sampled_from(HOST_NAMES), st.lists(st.sampled_from(GROUPS), max_size=3), max_size=4
        ),
        "children": st.lists(
            st.tuples(st.sampled_from(GROUPS), st.sampled_from(GROUPS)), max_size=4
        ),
        "group_vars": st.dictionaries(st.sampled_from(["all", *GROUPS]), variables, max_size=3),
        "host_vars": st.dictionaries(st.sampled_from(HOST_NAMES), variables, max_size=2),
        "inline_vars": st.dictionaries(st.sampled_from(GROUPS), variables, max_size=2),
    }
)

CATALOGUE = set(rules.ids())


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write(inv: dict, root: Path) -> Path:
    groups: dict[str, dict] = {}
    for host, member in inv["membership"].items():
        for g in member or ["kube_node"]:
            groups.setdefault(g, {}).setdefault("hosts", {})[host] = None
    for parent, child in inv["children"]:
        groups.setdefault(parent, {}).setdefault("children", {})[child] = None
    for g, gv in inv["inline_vars"].items():
        groups.setdefault(g, {})["vars"] = gv
    (root / "hosts.yaml").write_text(_dump({"all": {"children": groups}}))
    for sub, table in (("group_vars", inv["group_vars"]), ("host_vars", inv["host_vars"])):
        for name, data in table.items():
            if "/" in name:
                continue
            target = root / sub / f"{name}.yml"
            target.parent.mkdir(exist_ok=True)
            target.write_text(_dump(data))
    return root


def check_findings(findings: list, root: Path) -> None:
    real_root = os.path.realpath(root)
    for f in findings:
        assert f.rule in CATALOGUE, f
        assert f.severity in ("error", "warning", "info"), f
        assert f.line >= 0 and f.column >= 0, f
        assert (
            os.path.realpath(f.path).startswith(real_root + os.sep)
            or os.path.realpath(f.path) == real_root
        ), f


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories)
def test_generated_inventories_lint_cleanly(inv: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write(inv, Path(tmp))
        try:
            _ctx, findings = lint_inventory(root)
        except Exception as exc:  # only "nothing to lint" may escape, as the CLI's exit 5
            from node_timing.inventory import InventoryError

            assert isinstance(exc, InventoryError), exc
            return
        check_findings(findings, root)
        _ctx, again = lint_inventory(root)
        assert [f.to_dict() for f in again] == [f.to_dict() for f in findings]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inventories,
    st.sampled_from(["text", "pep8", "json", "codeclimate", "sarif", "github"]),
    st.booleans(),
)
def test_generated_inventories_through_the_cli(inv: dict, fmt: str, strict: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write(inv, Path(tmp))
        args = ["lint", str(root), "--format", fmt, *(["--strict"] if strict else [])]
        first = run_cli(*args)
        code, _out, err = first
        assert code in (0, 2, 5), first
        assert "internal error" not in err and "Traceback" not in err
        if code == 5:
            assert len(err.strip().splitlines()) == 1
        assert run_cli(*args) == first
