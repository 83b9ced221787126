"""What a file is comes from how it was named and from its whole structure, never from one line.

An inventory given as an inventory is read as one, whatever a line of it says; ``lint FILE`` says
which kind it took a deployed file for; a broken deployed file is a finding (exit 2), and a device
or FIFO is never opened.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from node_layout import kubespray_kubelet_config, kubespray_kubelet_env, write

from node_timing.cli import main

INI = (
    "[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n\n[all:vars]\n"
    "kube_controller_node_monitor_grace_period=5s\n"
)
YAML = (
    "all:\n  vars:\n    kube_controller_node_monitor_grace_period: 5s\n"
    "    notes: |\n      some text\n{line}"
    "  children:\n    kube_control_plane:\n      hosts:\n        cp1:\n"
    "    kube_node:\n      hosts:\n        node1:\n"
)
LINE = 'KUBELET_ARGS="--node-status-update-frequency=10s"'


def lint(
    capsys: pytest.CaptureFixture[str], path: Path
) -> tuple[int, list[dict[str, object]], str]:
    code = main(["lint", "--format", "json", str(path)])
    out, err = capsys.readouterr()
    findings = json.loads(out) if out.strip() else []
    return code, [{k: f[k] for k in ("rule", "line", "column", "message")} for f in findings], err


@pytest.mark.parametrize(
    ("name", "without", "with_line"),
    [
        ("inventory.ini", INI, INI + LINE + "\n"),
        ("hosts", INI, INI + LINE + "\n"),
        ("hosts.yaml", YAML.format(line=""), YAML.format(line=f"      {LINE}\n")),
        ("hosts.yml", YAML.format(line=""), YAML.format(line=f"      {LINE}\n      x\n")),
    ],
)
def test_a_kubelet_args_line_does_not_turn_an_inventory_into_an_env_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, without: str, with_line: str
) -> None:
    plain = write(tmp_path / "plain", f"/{name}", without)
    marked = write(tmp_path / "marked", f"/{name}", with_line)
    code, findings, _ = lint(capsys, plain)
    assert code == 2 and any(f["rule"] == "grace-vs-heartbeat" for f in findings), findings
    assert lint(capsys, marked)[:2] == (code, findings)


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        (
            "kubelet.env",
            kubespray_kubelet_env("--node-status-update-frequency=4s"),
            "a kubelet environment file",
        ),
        ("flags", f"{LINE}\n", "a kubelet environment file"),
        ("kubelet-config.yaml", kubespray_kubelet_config(), "a kubelet configuration"),
        ("anything.yaml", kubespray_kubelet_config(), "a kubelet configuration"),
    ],
)
def test_lint_file_says_which_kind_it_took_a_file_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, kind: str
) -> None:
    path = write(tmp_path, f"/{name}", text)
    _code, _findings, err = lint(capsys, path)
    assert f"node-timing: read {path} as {kind}\n" in err


def test_an_env_file_with_other_lines_is_not_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Named as one, it is a broken environment file (a finding at the first stray line); not
    named as one, it is no deployed file."""
    text = f"{LINE}\n[all:vars]\nx=1\n"
    code, findings, _ = lint(capsys, write(tmp_path, "/kubelet.env", text))
    assert code == 2
    assert [(f["rule"], f["line"]) for f in findings] == [("yaml-load", 2)], findings
    assert "not an environment file" in str(findings[0]["message"])
    _code, _findings, err = lint(capsys, write(tmp_path, "/notes", text))
    assert "as a kubelet environment file" not in err


def test_a_single_broken_deployed_file_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "/kubelet-config.yaml", "kind: KubeletConfiguration\nx: [\n")
    code, findings, err = lint(capsys, path)
    assert code == 2, err
    assert [f["rule"] for f in findings] == ["yaml-load"]
    assert "no inventory" not in err


def test_a_fifo_or_device_is_never_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "kubelet-config.yaml"
    os.mkfifo(fifo)
    opened: list[str] = []
    real_open = os.open

    def recording_open(path: object, *args: object, **kwargs: object) -> int:
        opened.append(os.fspath(path))  # type: ignore[arg-type]
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", recording_open)
    code, findings, err = lint(capsys, fifo)
    assert code == 2 and "not a regular file" in str(findings), (findings, err)
    code, _findings, err = lint(capsys, Path("/dev/zero"))
    assert code == 5, err
    assert str(fifo) not in opened and "/dev/zero" not in opened


def test_the_yaml_node_limit_counts_the_whole_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents each under the limit, together over it: refused before any is built."""
    from node_timing.deployed import _files

    monkeypatch.setattr(_files, "MAX_NODES", 1000)
    built: list[int] = []
    real_parse = _files.parse_yaml

    def counting_parse(*args: object, **kwargs: object) -> object:
        built.append(1)
        return real_parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_files, "parse_yaml", counting_parse)
    doc = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n" + "".join(
        f"k{i}: {i}\n" for i in range(200)
    )  # 404 nodes
    two = write(tmp_path, "/two/kubeadm-config.yaml", "---\n".join([doc] * 2))
    three = write(tmp_path, "/three/kubeadm-config.yaml", "---\n".join([doc] * 3))
    code, findings, _ = lint(capsys, two)
    assert not [f for f in findings if "YAML nodes" in str(f["message"])] and built == [1, 1]
    built.clear()
    code, findings, _ = lint(capsys, three)
    assert code == 2 and built == []
    # at the node that passes the limit, in the third document
    lines = three.read_text().splitlines()
    third = [i + 1 for i, ln in enumerate(lines) if ln == "---"][1]
    [line] = [f["line"] for f in findings if "more than 1,000 YAML nodes" in str(f["message"])]
    assert third < int(str(line)) <= len(lines), findings
