"""Bidirectional controls and zero-width characters from an inventory never reach the output raw,
in any format: host names, values and the messages that quote them (durations included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from node_timing.cli import main
from node_timing.display import printable
from node_timing.formats import FORMATS

HIDDEN = ["\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u061c", "\u200f"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_hidden_characters_are_escaped_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "hosts.yaml").write_text(
        "all:\n  children:\n    kube_control_plane:\n      hosts:\n"
        "        'cp\u202e1gnp.exe':\n        'cp\u200b2':\n"
        "    kube_node:\n      hosts:\n        'node\u2066x\u2069':\n",
        encoding="utf-8",
    )
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars" / "cp\u200b2.yml").write_text(
        'kube_controller_node_monitor_grace_period: "5s\u200b\u202e"\n', encoding="utf-8"
    )
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text(
        'kubelet_status_update_frequency: "1\u2060m"\n', encoding="utf-8"
    )
    code = main(["lint", "--format", fmt, str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert "cp" in out and "u200b" in out, out[:2000]  # the host and its finding are reported ...
    for char in HIDDEN:
        assert char not in out + err, (fmt, hex(ord(char)))  # ... with nothing hidden in them


def test_printable_names_each_hidden_character() -> None:
    assert printable("a\u202eb\u200bc\ufeff") == "a\\u202eb\\u200bc\\ufeff"


def test_an_unexpected_yaml_type_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A !!set, !!binary or !!timestamp value is reported as what it is, in an inventory and in a
    kubelet configuration."""
    (tmp_path / "inv" / "group_vars").mkdir(parents=True)
    (tmp_path / "inv" / "inventory.ini").write_text("[kube_control_plane]\ncp1\n[kube_node]\nn1\n")
    (tmp_path / "inv" / "group_vars" / "all.yml").write_text(
        "kube_controller_node_monitor_grace_period: !!set {a, b}\n"
        "kube_controller_node_monitor_period: !!binary aGk=\n"
    )
    main(["lint", "--format", "pep8", str(tmp_path / "inv")])
    out = capsys.readouterr().out
    assert "got set {'a', 'b'}" in out and "got binary value b'hi'" in out, out
    config = tmp_path / "kubelet-config.yaml"
    config.write_text(
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
        "nodeStatusUpdateFrequency: !!set {a}\n"
    )
    main(["lint", "--format", "pep8", str(config)])
    out = capsys.readouterr().out
    assert (
        "nodeStatusUpdateFrequency must be a Go duration such as 10s or 1m0s, got set {'a'}" in out
    )
