"""fix costs what lint costs, whatever the size of the files it does not edit: counts, not times.

fix lints the inventory again after each round of edits; a file it leaves alone is parsed once
(a 10 MB group_vars file cost 30 s, a parse per round).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from node_timing.cli import main
from node_timing.inventory import vars_files


def test_fix_parses_an_unedited_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "inventory.ini").write_text("[kube_control_plane]\ncp1\n[kube_node]\nn1\n")
    big = tmp_path / "group_vars" / "all.yml"
    big.write_text("".join(f"pad{i}: some text\n" for i in range(2000)))
    parsed: list[str] = []
    real = vars_files._parse_vars

    def counting(path: str, *args: object) -> object:
        parsed.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(vars_files, "_parse_vars", counting)
    assert main(["fix", str(tmp_path), "--check"]) == 2  # the report-frequency repair: one round
    out, err = capsys.readouterr()
    assert "report-frequency" in err, out + err
    assert parsed.count(str(big)) == 1, parsed
    assert any(p.endswith("node-timing.yml") for p in parsed)  # the edit itself is linted
