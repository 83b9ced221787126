"""Setting the timing fields of a kubelet's --config file in place (what the role's apply writes)."""

from __future__ import annotations

import pytest
from node_layout import kubeadm_kubelet_config, kubespray_kubelet_config

from node_timing import profiles
from node_timing.render.args import RenderError
from node_timing.render.kubelet import patch_kubelet_config, read_kubelet_fields

FAST = profiles.compute("fast", 5, kube_version="1.35").settings
TIMING = ("nodeStatusUpdateFrequency", "nodeStatusReportFrequency", "nodeLeaseDurationSeconds")


def other_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines(keepends=True) if not ln.startswith(TIMING)]


@pytest.mark.parametrize(
    "text",
    [kubespray_kubelet_config(), kubeadm_kubelet_config()],
    ids=["kubespray", "kubeadm"],
)
def test_sets_the_fields_and_keeps_every_other_line(text: str) -> None:
    patched = patch_kubelet_config(text, FAST)
    assert read_kubelet_fields(patched) == {
        "nodeStatusUpdateFrequency": 4_000_000_000,
        "nodeStatusReportFrequency": 300_000_000_000,
        "nodeLeaseDurationSeconds": 16,
    }
    assert other_lines(patched) == other_lines(text)
    assert patch_kubelet_config(patched, FAST) == patched


def test_comments_quotes_and_crlf_survive() -> None:
    text = (
        "apiVersion: kubelet.config.k8s.io/v1beta1\r\n"
        "kind: KubeletConfiguration\r\n"
        '# set by hand\r\nnodeStatusUpdateFrequency: "10s"   # why\r\n'
        "maxPods: 110\r\n"
    )
    patched = patch_kubelet_config(text, FAST)
    assert 'nodeStatusUpdateFrequency: "4s"   # why\r\n' in patched
    assert patched.startswith(text.split("nodeStatusUpdateFrequency")[0])
    assert "\n" not in patched.replace("\r\n", "")


def test_a_value_that_already_means_the_same_is_left_as_written() -> None:
    text = (
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
        "nodeStatusUpdateFrequency: 4.0s\nnodeStatusReportFrequency: 300s\n"
        "nodeLeaseDurationSeconds: 16\n"
    )
    assert patch_kubelet_config(text, FAST) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "- a list\n",
        "apiVersion: v1\nkind: Pod\n",
        "kind: KubeletConfiguration\nnodeStatusUpdateFrequency: [1\n",
        "kind: KubeletConfiguration\n---\nkind: KubeletConfiguration\n",
    ],
    ids=["empty", "list", "other-kind", "broken", "two-documents"],
)
def test_anything_else_is_one_error(text: str) -> None:
    with pytest.raises(RenderError, match="kubelet configuration file"):
        patch_kubelet_config(text, FAST)


def test_a_field_that_is_not_a_scalar_is_refused() -> None:
    text = "kind: KubeletConfiguration\nnodeStatusUpdateFrequency:\n  - 10s\n"
    with pytest.raises(RenderError, match="cannot edit"):
        patch_kubelet_config(text, FAST)
