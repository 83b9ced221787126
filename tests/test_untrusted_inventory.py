"""Untrusted inventories: lint runs nothing, reads nothing outside the project, prints no secret.

Every executable staged here creates a marker file when it runs; the tests assert the marker is
absent (or, with ``--allow-exec``, present).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from kubespray_layout import SECRETS, marker_script, post_deployment

FORMATS = ("text", "pep8", "json", "codeclimate", "sarif", "github")
HOSTS = "[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n"
FLAPPING = "kube_controller_node_monitor_grace_period: 5s\n"


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


# ------------------------------------------------------------------ kubespray after a deployment


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_deployment_directory_lints_exactly_like_its_inventory_ini(
    cli, tmp_path: Path, fmt: str
) -> None:
    marker = tmp_path / "ran"
    inv = post_deployment(tmp_path, marker)
    as_dir = cli("lint", str(inv), "--format", fmt, cwd=tmp_path)
    as_file = cli("lint", str(inv / "inventory.ini"), "--format", fmt, cwd=tmp_path)
    assert as_dir.code == as_file.code == 2, as_dir.out + as_dir.err
    assert as_dir.out == as_file.out
    assert "grace" in as_dir.out  # the group_vars were read: the short grace period is found
    for secret in SECRETS:
        assert secret not in as_dir.out + as_dir.err
    assert "credentials" not in as_dir.out and "artifacts" not in as_dir.out
    assert not marker.exists()


def test_post_deployment_directory_says_what_it_read(cli, tmp_path: Path) -> None:
    inv = post_deployment(tmp_path, tmp_path / "ran")
    run = cli("lint", str(inv), cwd=tmp_path)
    assert "node-timing: read inventory.ini" in run.err


def test_repository_root_with_one_kubespray_inventory_lints_it(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    repo = git_repo(tmp_path / "repo")
    inv = post_deployment(repo, marker)
    from_root = cli("lint", str(repo), "--format", "json", cwd=tmp_path)
    direct = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    assert from_root.code == direct.code == 2
    assert from_root.json() == direct.json()
    assert not marker.exists()


def test_repository_root_with_several_inventories_is_not_walked(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    repo = git_repo(tmp_path / "repo")
    post_deployment(repo, marker, "sample")
    post_deployment(repo, marker, "prod")
    run = cli("explain", str(repo), cwd=tmp_path)
    assert run.code == 5
    assert "inventory/prod, inventory/sample" in run.err and "lint one of them" in run.err
    assert len(run.err.strip().splitlines()) == 1
    # lint lints each, on its own, and says so
    each = cli("lint", str(repo), "--format", "sarif", cwd=tmp_path)
    assert each.code in (0, 2) and "holds 2 inventories" in each.err
    assert "linting each" in each.err.splitlines()[0]
    assert not marker.exists()


def test_directory_without_an_inventory_at_its_top_is_exit_5(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    tree = tmp_path / "tree"
    executable(tree / "deep" / "er" / "hosts.sh", marker_script(marker))
    (tree / "deep" / "hosts").write_text(HOSTS)
    run = cli("lint", str(tree), cwd=tmp_path)
    assert run.code == 5
    assert "no inventory here" in run.err
    assert not marker.exists()


def test_vars_file_is_not_an_inventory(cli, tmp_path: Path) -> None:
    inv = post_deployment(tmp_path, tmp_path / "ran")
    run = cli("lint", str(inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"), cwd=tmp_path)
    assert run.code == 5
    assert "a vars file, not an inventory" in run.err


def test_inventory_without_hosts_is_exit_5(cli, tmp_path: Path) -> None:
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "hosts.yaml").write_text("all:\n  children:\n    kube_node:\n")
    run = cli("lint", str(tmp_path / "inv"), cwd=tmp_path)
    assert run.code == 5
    assert "no hosts in hosts.yaml" in run.err
    assert "Passed" not in run.out


# ---------------------------------------------------------------------------- nothing executes


def test_executable_inventory_is_reported_not_run(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.yaml").write_text(
        "all:\n  children:\n    kube_node:\n      hosts:\n        n1:\n"
    )
    executable(inv / "dynamic.sh", marker_script(marker))
    run = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    assert not marker.exists()
    (finding,) = [f for f in run.json() if "not read" in f["message"]]
    assert finding["rule"] == "yaml-load" and finding["severity"] == "warning"
    assert finding["path"].endswith("dynamic.sh")
    assert "--allow-exec" in finding["message"]


def test_executable_inventory_alone_is_exit_5_and_says_why(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    executable(tmp_path / "inv" / "hosts", marker_script(marker))
    run = cli("lint", str(tmp_path / "inv"), cwd=tmp_path)
    assert run.code == 5
    assert "executable inventory script" in run.err and "--allow-exec" in run.err
    assert not marker.exists()


def test_allow_exec_reads_the_script_as_ansible_core_does(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = (
        f'#!/bin/sh\ntouch "{marker}"\n'
        'echo \'{"kube_node": {"hosts": ["n1", "n2"]}, "_meta": {"hostvars": '
        '{"n1": {"kube_controller_node_monitor_grace_period": "5s"}}}}\'\n'
    )
    executable(tmp_path / "inv" / "hosts", script)
    run = cli("lint", str(tmp_path / "inv"), "--allow-exec", "--format", "json", cwd=tmp_path)
    assert marker.exists()
    assert run.code == 2, run.err
    hosts = {h for f in run.json() for h in f["hosts"]}
    assert {"n1", "n2"} <= hosts


def test_allow_exec_in_a_discovered_config_is_refused(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    executable(tmp_path / "inv" / "hosts", marker_script(marker))
    (tmp_path / "inv" / ".node-timing.yml").write_text("allow_exec: true\n")
    run = cli("lint", str(tmp_path / "inv"), cwd=tmp_path)
    assert run.code == 3
    assert "allow_exec is honoured only in a configuration file named with -c" in run.err
    assert not marker.exists()


def test_allow_exec_in_an_explicit_config_runs_the_script(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    executable(tmp_path / "inv" / "hosts", marker_script(marker))
    (tmp_path / "trusted.yml").write_text("allow_exec: true\n")
    cli("lint", str(tmp_path / "inv"), "-c", str(tmp_path / "trusted.yml"), cwd=tmp_path)
    assert marker.exists()


def test_plugin_config_with_a_pipe_lookup_is_not_run(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.ini").write_text(HOSTS)
    (inv / "zz-constructed.yml").write_text(
        "plugin: ansible.builtin.constructed\n"
        f"compose:\n  pwned: lookup('pipe', 'touch {marker}')\n"
        f"groups:\n  evil: lookup('pipe', 'touch {marker}') != ''\n"
    )
    (inv / "generator.yml").write_text(
        "plugin: ansible.builtin.generator\nhosts:\n  name: \"{{ lookup('pipe', 'touch "
        f"{marker}') }}\"\nlayers:\n  a: [x]\n"
    )
    run = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    assert not marker.exists()
    skipped = sorted(Path(f["path"]).name for f in run.json() if "not read" in f["message"])
    assert skipped == ["generator.yml", "zz-constructed.yml"]


def test_ansible_cfg_in_the_working_directory_imports_nothing(cli, tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    plugins = tmp_path / "cwd" / "inventory_plugins"
    plugins.mkdir(parents=True)
    (plugins / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (tmp_path / "cwd" / "ansible.cfg").write_text(
        "[defaults]\ninventory_plugins = ./inventory_plugins\nvars_plugins = ./inventory_plugins\n"
        "[inventory]\nenable_plugins = evil, ini, yaml\n"
    )
    inv = tmp_path / "cwd" / "inv"
    inv.mkdir()
    (inv / "hosts.ini").write_text(HOSTS)
    (inv / "evil.yml").write_text("plugin: evil\n")
    run = cli("lint", str(inv), "--format", "json", cwd=tmp_path / "cwd")
    assert run.code in (0, 2), run.err
    assert not marker.exists()
    named = sorted(
        (Path(f["path"]).name, f["line"]) for f in run.json() if "not loaded" in f["message"]
    )
    assert named == [("ansible.cfg", 2), ("ansible.cfg", 3), ("ansible.cfg", 5)]


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param(lambda p: os.mkfifo(p), id="fifo"),
        pytest.param(lambda p: p.symlink_to("/dev/zero"), id="dev-zero"),
        pytest.param(
            lambda p: p.write_text(
                'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
                + "".join(
                    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
                    for i in range(8)
                )
            ),
            id="alias-bomb",
        ),
    ],
)
def test_allow_exec_keeps_the_limits(cli, tmp_path: Path, hostile) -> None:
    marker = tmp_path / "ran"
    inv = tmp_path / "inv"
    executable(inv / "hosts", marker_script(marker))
    (inv / "group_vars").mkdir()
    hostile(inv / "group_vars" / "all.yml")
    run = cli("lint", str(inv), "--allow-exec", cwd=tmp_path)
    assert run.code == 5, run.err
    assert "not handed to ansible-core" in run.err and "all.yml" in run.err
    assert not marker.exists()


# ------------------------------------------------------------------- the project root and links


def test_directory_symlink_out_of_the_project_is_not_followed(cli, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    outside = tmp_path / "elsewhere"
    executable(outside / "hosts.sh", marker_script(marker))
    (outside / "more.ini").write_text("[kube_node]\nstranger\n")
    repo = git_repo(tmp_path / "repo")
    inv = repo / "inv"
    inv.mkdir()
    (inv / "hosts.yaml").write_text(
        "all:\n  children:\n    kube_node:\n      hosts:\n        n1:\n"
    )
    (inv / "linked").symlink_to(outside)  # ansible-core walks subdirectories of -i DIR
    run = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    assert not marker.exists()
    assert "stranger" not in run.out
    (finding,) = [f for f in run.json() if "outside the project" in f["message"]]
    assert finding["path"].endswith("linked")
    assert "elsewhere" not in run.out + run.err  # the target is withheld


def test_hosts_symlink_to_the_environment_prints_nothing_of_it(cli, tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "inventory.ini").write_text(HOSTS)
    (inv / "hosts").symlink_to("/proc/self/environ")
    env = {**os.environ, "CI_TOKEN": "tok-do-not-print-1234"}
    for fmt in FORMATS:
        run = cli("lint", str(inv), "--format", fmt, cwd=tmp_path, env=env)
        assert "tok-do-not-print-1234" not in run.out + run.err
        assert run.code in (0, 2), run.err


def test_hosts_symlink_to_proc_is_refused_even_when_the_root_is_slash(tmp_path: Path) -> None:
    from node_timing.inventory.read import Reader

    reader = Reader("/", [])
    link = tmp_path / "hosts"
    link.symlink_to("/proc/self/environ")
    assert reader.read(str(link)) is None
    assert reader.problems[0].kind == "outside-root"


def test_shared_group_vars_symlinked_inside_the_repository_are_read(cli, tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    shared = repo / "shared" / "group_vars"
    shared.mkdir(parents=True)
    (shared / "all.yml").write_text(FLAPPING)
    inv = repo / "inventory" / "prod"
    inv.mkdir(parents=True)
    (inv / "inventory.ini").write_text(HOSTS)
    (inv / "group_vars").symlink_to("../../shared/group_vars")
    run = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    assert run.code == 2
    assert any(f["rule"] == "grace-vs-heartbeat" for f in run.json())


def test_group_vars_symlinked_out_of_the_project_are_not_read(cli, tmp_path: Path) -> None:
    outside = tmp_path / "other" / "group_vars"
    outside.mkdir(parents=True)
    (outside / "all.yml").write_text(FLAPPING)
    repo = git_repo(tmp_path / "repo")
    inv = repo / "inv"
    inv.mkdir()
    (inv / "inventory.ini").write_text(HOSTS)
    (inv / "group_vars").symlink_to(outside)
    run = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    findings = run.json()
    assert not any("group_vars/all.yml" in f["path"] for f in findings)
    assert not any(f["rule"] == "grace-vs-heartbeat" and f["severity"] == "error" for f in findings)
    assert [f["severity"] for f in findings if "outside the project" in f["message"]] == ["warning"]


def test_deep_directory_tree_is_bounded(cli, tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "inventory.yml").write_text("all:\n  hosts:\n    n1:\n")
    deep = inv / "d"
    # 1,500 levels: deeper than Python's recursion limit; made with relative paths (PATH_MAX)
    os.makedirs(deep)
    cwd = os.getcwd()
    try:
        os.chdir(deep)
        for _ in range(1500):
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(cwd)
    try:
        run = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    finally:
        # rm removes a tree 1,500 levels deep; pytest's own clean-up recurses and would fail
        subprocess.run(["rm", "-rf", str(inv)], check=True)
    assert run.code == 2, run.err[-2000:]  # what was not read fails the check
    (finding,) = [f for f in json.loads(run.out) if "nested deeper than" in f["message"]]
    assert finding["rule"] == "yaml-load"


def test_explain_json_with_nothing_to_explain_is_an_empty_document(cli, tmp_path: Path) -> None:
    run = cli("explain", str(tmp_path), "--format", "json", cwd=tmp_path)
    assert run.code == 5
    assert run.json() == {"kube_version": None, "nodes": 0, "groups": []}
    assert "no inventory here" in run.err


def test_a_tree_of_other_files_is_not_an_inventory(cli, tmp_path: Path) -> None:
    """Files at the top are not enough: a directory is an inventory by its inventory file's name
    or its group_vars/host_vars; /etc would otherwise be parsed line by line as INI hosts."""
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "shadow").write_text("root:$6$secrethash:19000:0:99999:7:::\n")
    (etc / "os-release").write_text('NAME="Debian"\n')
    for command in (("lint", str(etc)), ("fix", "--check", str(etc)), ("explain", str(etc))):
        run = cli(*command, cwd=tmp_path)
        assert run.code == 5, (command, run.err)
        assert "secrethash" not in run.out + run.err
        assert "no inventory here" in run.err
    assert sorted(p.name for p in etc.iterdir()) == ["os-release", "shadow"]


def test_fix_on_a_post_deployment_directory_keeps_every_other_key(cli, tmp_path: Path) -> None:
    import yaml

    marker = tmp_path / "ran"
    inv = post_deployment(tmp_path, marker)
    untouched = {p: p.read_bytes() for p in (*inv.glob("credentials/*"), *inv.glob("artifacts/*"))}
    run = cli("fix", str(inv), cwd=tmp_path)
    assert run.code in (2, 8), run.err
    assert "removed-setting" in run.err  # the removed flag was deleted ...
    data = yaml.safe_load((inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").read_text())
    # ... and every other key of the dicts it touched is still there
    assert data["kube_kubeadm_controller_extra_args"] == {"profiling": "false"}
    assert data["kubelet_config_extra_args"]["maxPods"] == 200
    assert {p: p.read_bytes() for p in untouched} == untouched
    assert sorted(p.name for p in (inv / "credentials").iterdir()) == [
        "kube_encrypt_token.creds",
        "kubeadm_certificate_key.creds",
    ]
    for secret in SECRETS:
        assert secret not in run.out + run.err
    assert not marker.exists()
    # and lint afterwards no longer reports the removed setting
    after = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    assert not [f for f in after.json() if f["rule"] == "removed-setting"]


# ------------------------------------------------------------ links into the project's secrets


def test_a_link_into_credentials_is_neither_read_nor_fixed(cli, tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    inv = post_deployment(repo, tmp_path / "ran")
    creds = inv / "credentials" / "kubeadm_certificate_key.creds"
    creds.write_text("kubelet_status_update_frequency: 10\nsecret_token: SECRET-VALUE-123\n")
    before = creds.read_bytes()
    (inv / "group_vars" / "all" / "k.yml").symlink_to(
        "../../credentials/kubeadm_certificate_key.creds"
    )
    (inv / "zz").symlink_to("../../.git/config")
    lint = cli("lint", str(inv), "--format", "json", cwd=tmp_path)
    fix = cli("fix", "--diff", str(inv), cwd=tmp_path)
    for run in (lint, fix):
        assert "SECRET-VALUE-123" not in run.out + run.err
        assert "repositoryformatversion" not in run.out + run.err
    assert creds.read_bytes() == before
    refused = sorted(
        Path(f["path"]).name for f in lint.json() if "not read: a link" in f["message"]
    )
    assert refused == ["k.yml", "zz"]


def test_an_inventory_directly_under_the_root_is_its_own_project(tmp_path: Path) -> None:
    from node_timing.inventory.root import project_root

    # /tmp stands for a mounted /inventory: its parent would be the whole file system
    assert project_root("/tmp") == os.path.realpath("/tmp")
    assert project_root(tmp_path) != "/"


def test_a_config_symlinked_out_of_the_project_is_not_read(cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("skip_list: [SECRET-TOKEN-abc]\n")
    repo = git_repo(tmp_path / "repo")
    (repo / "inv").mkdir()
    (repo / "inv" / "hosts.ini").write_text(HOSTS)
    (repo / "inv" / ".node-timing.yml").symlink_to(outside)
    run = cli("lint", str(repo / "inv"), cwd=tmp_path)
    assert run.code == 3
    assert "not read: a symlink out of the project" in run.err
    assert "SECRET-TOKEN-abc" not in run.out + run.err


def test_a_config_above_the_project_is_not_applied(cli, tmp_path: Path) -> None:
    (tmp_path / ".node-timing.yml").write_text("skip_list: [report-frequency]\n")
    repo = git_repo(tmp_path / "repo")
    (repo / "inv").mkdir()
    (repo / "inv" / "hosts.ini").write_text(HOSTS)
    run = cli("lint", str(repo / "inv"), "--format", "json", cwd=tmp_path)
    assert any(f["rule"] == "report-frequency" for f in run.json())


@pytest.mark.parametrize(
    ("where", "text", "code", "expect"),
    [
        (".node-timing.yml", "heartbeat_budget: 1.0e-308\n", 3, "from 0.001"),
        ("group_vars/all.yml", f'kube_version: "v1.{"9" * 5000}"\n', 2, "kube-version"),
    ],
    ids=["tiny-budget-in-config", "kube-version-5000-digits"],
)
def test_numbers_past_every_bound_are_findings_or_usage_errors(
    cli, tmp_path: Path, where: str, text: str, code: int, expect: str
) -> None:
    inv = tmp_path / "inv"
    (inv / "group_vars").mkdir(parents=True)
    (inv / "hosts.ini").write_text(HOSTS)
    (inv / where).write_text(text)
    run = cli("lint", str(inv), "--format", "pep8", cwd=tmp_path)
    assert run.code == code, run.err
    assert expect in run.out + run.err
    assert "internal error" not in run.err


def test_kube_version_option_of_5000_digits_is_a_usage_error(cli, tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.ini").write_text(HOSTS)
    run = cli("lint", str(inv), "--kube-version", "1." + "9" * 5000, cwd=tmp_path)
    assert run.code == 3 and "internal error" not in run.err


def test_diff_context_lines_cannot_start_a_ci_command(cli, tmp_path: Path) -> None:
    """GitHub reads a workflow command after leading blanks: a diff's context line is a blank
    and the file's line, so a comment holding ``::error::`` must not pass through as it is."""
    inv = tmp_path / "inv"
    (inv / "group_vars").mkdir(parents=True)
    (inv / "hosts.ini").write_text(HOSTS)
    (inv / "group_vars" / "all.yml").write_text(
        "kube_apiserver_pod_eviction_unreachable_timeout_seconds: 30s\n"
        "other: |\n  ::warning::also\n"
    )
    run = cli("fix", "--diff", "--check", str(inv), cwd=tmp_path)
    assert run.code == 2, run.err
    assert "\\x3a:warning::also" in run.out
    assert not [line for line in run.out.splitlines() if line.lstrip(" +-").startswith("::")]
