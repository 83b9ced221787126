"""``lint A B ...`` and a directory holding several inventories: each linted on its own, each
finding naming its inventory, one exit code (the worst)."""

from __future__ import annotations

from pathlib import Path

from lintkit import make_inventory

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"


def _two(tmp_path: Path) -> tuple[Path, Path]:
    prod = make_inventory(tmp_path / "p", {K8S: "kube_controller_node_monitor_grace_period: 15s\n"})
    staging = make_inventory(
        tmp_path / "s", {K8S: "kube_controller_node_monitor_grace_period: 50s\n"}
    )
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    prod.rename(inventory / "prod")
    staging.rename(inventory / "staging")
    return inventory / "prod", inventory / "staging"


def test_each_inventory_on_its_own_with_its_name(cli, tmp_path: Path) -> None:
    prod, staging = _two(tmp_path)
    (staging / "group_vars" / "k8s_cluster" / "more.yml").write_text(
        "kubelet_status_update_frequency: 4s\n"
    )
    r = cli("lint", str(prod), str(staging), "-f", "json", cwd=tmp_path)
    assert r.code == 2, r.err
    by_inventory = {(f["inventory"], f["rule"]) for f in r.json()}
    assert ("inventory/prod", "grace-vs-heartbeat") in by_inventory
    assert ("inventory/staging", "report-frequency") in by_inventory
    # the values of one inventory never reach the other's verdicts
    assert ("inventory/staging", "grace-vs-heartbeat") not in by_inventory
    assert all(f["path"].startswith(f["inventory"] + "/") for f in r.json())
    text = cli("lint", str(prod), str(staging), cwd=tmp_path)
    assert "  inventory: inventory/prod" in text.out and "on 12 hosts" in text.out
    pep8 = cli("lint", str(prod), str(staging), "-f", "pep8", cwd=tmp_path)
    assert all(
        line.endswith(")") and "(inventory inventory/" in line for line in pep8.out.splitlines()
    )


def test_a_directory_of_inventories_lints_each_and_says_so(cli, tmp_path: Path) -> None:
    _two(tmp_path)
    r = cli("lint", "inventory", "-f", "json", cwd=tmp_path)
    assert r.code == 2, r.err
    assert (
        "inventory holds 2 inventories (inventory/prod, inventory/staging): linting each" in r.err
    )
    assert {f["inventory"] for f in r.json() if f["rule"] == "grace-vs-heartbeat"} == {
        "inventory/prod"
    }


def test_the_worst_exit_code_and_the_others_still_linted(cli, tmp_path: Path) -> None:
    _prod, staging = _two(tmp_path)
    r = cli("lint", str(staging), str(tmp_path / "missing"), "-f", "json", cwd=tmp_path)
    assert r.code == 5 and "missing: no such file or directory" in r.err
    assert "inventory/staging: read inventory.ini" in r.err
    clean = cli("lint", str(staging), str(staging), cwd=tmp_path)
    assert clean.code == 0, clean.out + clean.err


def test_one_inventory_output_names_no_inventory(cli, tmp_path: Path) -> None:
    prod, _staging = _two(tmp_path)
    r = cli("lint", str(prod), "-f", "json", cwd=tmp_path)
    assert r.code == 2 and all("inventory" not in f for f in r.json())
    assert "linting each" not in r.err


def test_other_commands_say_which_to_pick(cli, tmp_path: Path) -> None:
    _two(tmp_path)
    r = cli("explain", "inventory", cwd=tmp_path)
    assert r.code == 5 and "holds 2 (prod, staging): lint one of them" in r.err
