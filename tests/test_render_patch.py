"""``patch_manifest``: only the timing flag lines of an existing static Pod change."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from node_timing import profiles
from node_timing.render import RenderError, patch_manifest, render_all

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"
CONTROLLER = (FIXTURES / "kube-controller-manager-1.31.yaml").read_text(encoding="utf-8")
APISERVER = (FIXTURES / "kube-apiserver-1.31.yaml").read_text(encoding="utf-8")


def _settings(profile: str, version: str):  # type: ignore[no-untyped-def]
    result = profiles.compute(profile, 100, kube_version=version)
    return result.settings, result.kube_version


def _line_changes(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed from and added to ``old``, by a line-level diff."""
    removed, added = [], []
    for line in difflib.ndiff(old.splitlines(keepends=True), new.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_controller_manager_changes_only_timing_flag_lines() -> None:
    settings, version = _settings("fast", "1.31")
    result = patch_manifest(CONTROLLER, settings, version)
    assert result.component == "controller_manager"
    removed, added = _line_changes(CONTROLLER, result.text)
    assert removed == [
        "    - --node-monitor-grace-period=40s\n",
        "    - --node-monitor-period=5s\n",
        "    - --pod-eviction-timeout=5m0s\n",
    ]
    assert added == [
        "    - --node-monitor-grace-period=20s\n",
        "    - --node-monitor-period=2s\n",
        "    - --node-startup-grace-period=1m0s\n",
        "    - --node-eviction-rate=0.1\n",
        "    - --secondary-node-eviction-rate=0.01\n",
        "    - --large-cluster-size-threshold=50\n",
        "    - --unhealthy-zone-threshold=0.55\n",
    ]
    # the new flags follow the last flag line; everything else is where it was
    lines = result.text.splitlines()
    last = lines.index("    - --use-service-account-credentials=true")
    assert lines[last + 1] == "    - --node-startup-grace-period=1m0s"
    assert lines[last + 5] == "    - --unhealthy-zone-threshold=0.55"
    assert lines[last + 6] == "    image: registry.k8s.io/kube-controller-manager:v1.31.4"
    pod = yaml.safe_load(result.text)
    assert pod["status"] == {} and pod["metadata"]["creationTimestamp"] is None


def test_patching_is_idempotent() -> None:
    for profile in profiles.names():
        settings, version = _settings(profile, "1.31")
        once = patch_manifest(CONTROLLER, settings, version)
        twice = patch_manifest(once.text, settings, version)
        assert twice.text == once.text
        assert not twice.changed


def test_rendered_manifest_needs_no_patch() -> None:
    settings, version = _settings("medium", "1.35")
    text = render_all(settings, version)["manifests/kube-controller-manager.yaml"]
    assert not patch_manifest(text, settings, version).changed


def test_removed_flag_stays_before_1_27() -> None:
    settings, version = _settings("upstream", "1.26")
    result = patch_manifest(CONTROLLER, settings, version)
    assert "    - --pod-eviction-timeout=5m0s\n" in result.text
    assert not any("pod-eviction-timeout" in change for change in result.changes)


def test_apiserver_tolerations_keep_quotes_and_add_the_missing_one() -> None:
    settings, version = _settings("fast", "1.31")
    result = patch_manifest(APISERVER, settings, version)
    assert result.component == "apiserver"
    removed, added = _line_changes(APISERVER, result.text)
    assert removed == ['    - "--default-not-ready-toleration-seconds=300"\n']
    assert added == [
        '    - "--default-not-ready-toleration-seconds=30"\n',
        "    - --default-unreachable-toleration-seconds=30\n",
    ]
    lines = result.text.splitlines()
    assert lines[
        lines.index("    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key") + 1
    ] == ("    - --default-unreachable-toleration-seconds=30")
    assert "node-monitor" not in result.text
    assert patch_manifest(result.text, settings, version).text == result.text


def test_crlf_comments_and_missing_final_newline_are_kept() -> None:
    text = (
        "spec:\r\n"
        "  containers:\r\n"
        "  - name: kube-apiserver\r\n"
        "    command:\r\n"
        "      - /usr/local/bin/kube-apiserver\r\n"
        "      - '--default-unreachable-toleration-seconds=300'  # set by ops\r\n"
        "      - --secure-port=6443"
    )
    settings, version = _settings("medium", "1.35")
    result = patch_manifest(text, settings, version).text
    assert result == (
        "spec:\r\n"
        "  containers:\r\n"
        "  - name: kube-apiserver\r\n"
        "    command:\r\n"
        "      - /usr/local/bin/kube-apiserver\r\n"
        "      - '--default-unreachable-toleration-seconds=60'  # set by ops\r\n"
        "      - --secure-port=6443\r\n"
        "      - --default-not-ready-toleration-seconds=60"
    )


def test_repeated_timing_flag_keeps_its_first_line() -> None:
    text = CONTROLLER.replace(
        "    - --profiling=False\n", "    - --profiling=False\n    - --node-monitor-period=1s\n"
    )
    settings, version = _settings("upstream", "1.35")
    result = patch_manifest(text, settings, version)
    assert result.text.count("--node-monitor-period=") == 1
    assert "removed a repeated --node-monitor-period" in result.changes


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: v1\nkind: ConfigMap\n",
        "spec:\n  containers:\n  - name: kube-scheduler\n    command: [kube-scheduler]\n",
        "spec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --x=1]\n",
    ],
)
def test_unknown_manifests_are_refused(text: str) -> None:
    settings, version = _settings("upstream", "1.35")
    with pytest.raises(RenderError):
        patch_manifest(text, settings, version)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("registry.k8s.io/kube-controller-manager:v1.26.3", "1.26.3"),
        ('"registry.k8s.io/kube-controller-manager:v1.27.0"  # pinned', "1.27.0"),
        ("registry.local:5000/kube-controller-manager:v1.30.2@sha256:" + "a" * 64, "1.30.2"),
        ("registry.local:5000/kube-controller-manager", None),
        ("registry.k8s.io/kube-controller-manager:latest", None),
    ],
)
def test_image_version_reads_the_tag(image: str, expected: str | None) -> None:
    from node_timing.render.patch import image_version

    text = CONTROLLER.replace("registry.k8s.io/kube-controller-manager:v1.31.4", image)
    assert image != "registry.k8s.io/kube-controller-manager:v1.31.4" and text != CONTROLLER
    found = image_version(text)
    assert (str(found) if found else None) == expected


def test_image_of_the_component_wins_over_a_sidecar() -> None:
    from node_timing.render.patch import image_version

    sidecar = "  - name: helper\n    image: example.org/helper:v2.0.1\n"
    assert str(image_version(CONTROLLER + sidecar)) == "1.31.4"


@pytest.mark.parametrize(("tag", "kept"), [("v1.26.3", True), ("v1.27.0", False)])
def test_cli_patch_takes_the_version_from_the_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tag: str, kept: bool
) -> None:
    from node_timing.cli import main

    manifest = tmp_path / "kube-controller-manager.yaml"
    manifest.write_text(
        CONTROLLER.replace("kube-controller-manager:v1.31.4", f"kube-controller-manager:{tag}"),
        encoding="utf-8",
    )
    assert "--pod-eviction-timeout=5m0s" in manifest.read_text(encoding="utf-8")
    args = ["render", "--profile", "upstream", "--nodes", "100", "--patch-manifest", str(manifest)]
    assert main(args) == 0
    assert ("--pod-eviction-timeout" in manifest.read_text(encoding="utf-8")) is kept
    assert f"Kubernetes {tag[1:]}, from the manifest's image" in capsys.readouterr().err


def test_cli_patch_with_kube_version_ignores_the_image(tmp_path: Path) -> None:
    from node_timing.cli import main

    manifest = tmp_path / "kube-controller-manager.yaml"
    manifest.write_text(
        CONTROLLER.replace("kube-controller-manager:v1.31.4", "kube-controller-manager:v1.26.3"),
        encoding="utf-8",
    )
    args = ["render", "--profile", "upstream", "--nodes", "100", "--kube-version", "1.31"]
    assert main([*args, "--patch-manifest", str(manifest)]) == 0
    assert "--pod-eviction-timeout" not in manifest.read_text(encoding="utf-8")
