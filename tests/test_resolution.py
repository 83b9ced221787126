"""The model of what runs: kubeadm duplicate arguments, kubelet defaulting, kubelet_custom_flags."""

from __future__ import annotations

import pytest

from node_timing import durations
from node_timing.evaluate.resolution import (
    KubeletFile,
    Rendered,
    kubeadm_order,
    kubelet_effective,
    parse_custom_flags,
    resolve_kubeadm_duplicates,
)
from node_timing.knowledge import KubeVersion

S = durations.SECOND
GRACE = "node-monitor-grace-period"
V = KubeVersion.parse


def first_class(value: str) -> Rendered:
    return Rendered(value, "kube_controller_node_monitor_grace_period")


def extra(value: str, name: str = "") -> Rendered:
    return Rendered(value, "kube_kubeadm_controller_extra_args", name)


@pytest.mark.parametrize(
    ("version", "order"),
    [
        ("1.31.0", "sorted"),
        ("1.32.11", "sorted"),
        ("1.32.12", "unknown"),  # backport merged, release not confirmed
        ("1.33", "unknown"),
        ("1.33.7", "sorted"),
        ("1.34.3", "sorted"),
        ("1.34.4", "user-order"),
        ("1.34", "unknown"),  # the patch decides
        ("1.35.0", "sorted"),
        ("1.35.1", "user-order"),
        ("1.36", "user-order"),
        ("1.36.0", "user-order"),
        ("1.37.2", "user-order"),
        ("1.30.5", "refused"),
    ],
)
def test_kubeadm_v1beta4_order_per_release(version: str, order: str) -> None:
    assert kubeadm_order("v1beta4", V(version)) == order


@pytest.mark.parametrize(
    ("kubespray", "user", "runs"),
    [
        ("40s", "20s", "40s"),  # the user's value sorts before kubespray's: ignored
        ("40s", "60s", "60s"),  # sorts after: runs
        ("40s", "1m", "40s"),  # text, not duration: '4' > '1'
        ("40s", "100s", "40s"),
        ("10s", "5s", "5s"),
        ("300", "30", "300"),  # a prefix sorts first
        ("300", "1000", "300"),
    ],
)
def test_v1beta4_sorted_release_runs_the_greatest_text(
    kubespray: str, user: str, runs: str
) -> None:
    r = resolve_kubeadm_duplicates(
        [first_class(kubespray), extra(user)], GRACE, "v1beta4", V("1.34.3")
    )
    assert r.order == "sorted"
    assert r.winner is not None and r.winner.value == runs
    assert f'"{runs}"' in r.reason and "sorts" in r.reason


@pytest.mark.parametrize(("kubespray", "user"), [("40s", "20s"), ("40s", "60s"), ("300", "30")])
def test_v1beta4_user_order_release_runs_the_extra_args_value(kubespray: str, user: str) -> None:
    r = resolve_kubeadm_duplicates(
        [first_class(kubespray), extra(user)], GRACE, "v1beta4", V("1.35.1")
    )
    assert r.order == "user-order"
    assert r.winner == extra(user)
    assert "kube_kubeadm_controller_extra_args" in r.reason


def test_v1beta4_unknown_patch_gives_both_candidates_and_no_winner() -> None:
    r = resolve_kubeadm_duplicates([first_class("40s"), extra("20s")], GRACE, "v1beta4", V("1.35"))
    assert r.winner is None and r.order == "unknown"
    assert {c.value for c in r.possible} == {"40s", "20s"}
    assert "1.35.1" in r.reason


def test_v1beta4_unknown_patch_is_certain_when_both_orders_agree() -> None:
    r = resolve_kubeadm_duplicates([first_class("40s"), extra("60s")], GRACE, "v1beta4", V("1.35"))
    assert r.winner is not None and r.winner.value == "60s"


def test_v1beta4_underscore_spelling_sorts_after_the_dash_and_wins() -> None:
    entries = [first_class("40s"), extra("20s", name="node_monitor_grace_period")]
    r = resolve_kubeadm_duplicates(entries, GRACE, "v1beta4", V("1.34.0"))
    assert r.winner is not None and r.winner.value == "20s"
    assert "'_' sorts after '-'" in r.reason


@pytest.mark.parametrize(("kubespray", "user"), [("40s", "20s"), ("40s", "60s")])
def test_v1beta3_repeated_key_fails_validation_by_default(kubespray: str, user: str) -> None:
    r = resolve_kubeadm_duplicates(
        [first_class(kubespray), extra(user)], GRACE, "v1beta3", V("1.30")
    )
    assert r.winner is None and r.order == "refused"
    assert "kubeadm config validate" in r.reason


@pytest.mark.parametrize(("kubespray", "user"), [("40s", "20s"), ("40s", "60s")])
def test_v1beta3_without_validation_the_last_key_wins(kubespray: str, user: str) -> None:
    r = resolve_kubeadm_duplicates(
        [first_class(kubespray), extra(user)], GRACE, "v1beta3", V("1.30"), validate=False
    )
    assert r.order == "last-key" and r.winner == extra(user)


def test_single_value_is_its_own_winner() -> None:
    r = resolve_kubeadm_duplicates([first_class("40s")], GRACE, "v1beta4", V("1.35"))
    assert r.winner == first_class("40s")
    with pytest.raises(ValueError):
        resolve_kubeadm_duplicates([], GRACE, "v1beta4", V("1.35"))


# --- kubelet defaulting ---------------------------------------------------------------------------


def run(**given: int | None) -> tuple[int, int, int]:
    r = kubelet_effective(KubeletFile(**given), V("1.35"))
    return (
        r.node_status_update_frequency,
        r.node_status_report_frequency,
        r.node_lease_duration_seconds,
    )


def test_kubelet_empty_file_gets_the_defaults() -> None:
    assert run() == (10 * S, 300 * S, 40)


def test_kubelet_zero_means_unset() -> None:
    assert run(
        node_status_update_frequency=0,
        node_status_report_frequency=0,
        node_lease_duration_seconds=0,
    ) == (10 * S, 300 * S, 40)


def test_kubelet_report_inherits_only_an_update_frequency_set_non_zero() -> None:
    assert run(node_status_update_frequency=4 * S) == (4 * S, 4 * S, 40)
    assert run(node_status_update_frequency=0) == (10 * S, 300 * S, 40)
    assert run(node_status_update_frequency=4 * S, node_status_report_frequency=60 * S)[1] == 60 * S


def test_kubelet_negative_values_are_kept_and_only_the_lease_refused() -> None:
    r = kubelet_effective(
        KubeletFile(node_status_update_frequency=-S, node_lease_duration_seconds=-1), V("1.35")
    )
    assert r.node_status_update_frequency == -S and r.node_status_report_frequency == -S
    assert r.refused is not None and "greater than 0" in r.refused
    assert (
        kubelet_effective(KubeletFile(node_status_report_frequency=-S), V("1.35")).refused is None
    )


def test_kubelet_flag_overrides_the_file_and_derives_nothing() -> None:
    r = kubelet_effective(
        KubeletFile(node_status_update_frequency=10 * S), V("1.35"), flag_update=4 * S
    )
    assert (r.node_status_update_frequency, r.node_status_report_frequency) == (4 * S, 10 * S)
    assert "flag" in r.explain("kubelet.node_status_update_frequency")
    r = kubelet_effective(KubeletFile(), V("1.35"), flag_update=4 * S)
    assert r.node_status_report_frequency == 300 * S


# --- kubelet_custom_flags -------------------------------------------------------------------------


def test_custom_flags_list_forms() -> None:
    got = parse_custom_flags(
        [
            "--node-status-update-frequency=4s",
            "--max-pods 200 --node_status_update_frequency 6s",
            "--serialize-image-pulls",
            "-v=2",
        ]
    )
    assert got.problem is None
    assert [(f.name, f.value, f.item) for f in got.flags] == [
        ("node-status-update-frequency", "4s", 0),
        ("max-pods", "200", 1),
        ("node-status-update-frequency", "6s", 1),
        ("serialize-image-pulls", None, 2),
    ]
    last = got.last("node-status-update-frequency")
    assert last is not None and last.value == "6s"


def test_custom_flags_string_is_joined_character_by_character() -> None:
    got = parse_custom_flags("--node-status-update-frequency=4s")
    assert got.flags == () and got.problem is not None and "character" in got.problem


def test_custom_flags_odd_values() -> None:
    assert parse_custom_flags(None).flags == ()
    assert parse_custom_flags([]).flags == ()
    assert parse_custom_flags({"a": 1}).problem is not None
    got = parse_custom_flags(["--", "--node-status-update-frequency=4s", 7, None, {"x": 1}])
    assert got.flags == ()
