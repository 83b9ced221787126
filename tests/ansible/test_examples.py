"""The example playbooks, run with the very command their header gives, from the repository root.

The inventory is in kubespray's current layout (no k8s_cluster group: kubespray defines it at run
time). A play that matches no host exits 0 with "no hosts matched", so every test here asserts
which hosts each play ran on. kubespray itself is the stand-in collection under lint_mocks/.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from playbook_runner import REPO, Result, ansible_bin

EXAMPLES = REPO / "examples" / "playbooks"
STAND_INS = REPO / "tests" / "ansible" / "lint_mocks"
CLUSTER = ["node1", "node2", "node3", "node4", "node5"]


def header_command(playbook: Path) -> list[str]:
    """The ``ansible-playbook`` command in the playbook's leading comment, continuations joined."""
    text = playbook.read_text(encoding="utf-8")
    found = re.search(r"^#\s+(ansible-playbook (?:[^\n]*\\\n#\s*)*[^\n]*)$", text, re.MULTILINE)
    assert found, f"{playbook.name}: no ansible-playbook command in its header"
    command = re.sub(r"\\\n#\s*", " ", found.group(1))
    return shlex.split(command)


def run_header_command(playbook: Path, tmp_path: Path) -> Result:
    """Runs the header's command in the repository root with the repository's ansible.cfg."""
    command = header_command(playbook)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    record = tmp_path / "record.json"
    env.update(
        {
            "ANSIBLE_HOME": str(tmp_path / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / ".ansible" / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            # the checkout's collection (as its ansible.cfg says) and the kubespray stand-in
            "ANSIBLE_COLLECTIONS_PATH": f"{STAND_INS}:{REPO / 'collections'}",
            "PYTHONPATH": os.environ.get("NODE_TIMING_CORE_PATH", str(REPO / "src")),
            "NODE_TIMING_RECORD": str(record),
            "ANSIBLE_CALLBACK_PLUGINS": str(REPO / "tests" / "ansible" / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "node_timing_record",
        }
    )
    proc = subprocess.run(
        [str(ansible_bin() / command[0]), *command[1:]],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    data = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    return Result(proc.returncode, proc.stdout, proc.stderr, data)


def assert_every_play_matched(result: Result) -> None:
    assert "no hosts matched" not in result.stdout + result.stderr, str(result)
    assert "Could not match supplied host pattern" not in result.stdout + result.stderr


def profile_nodes(result: Result) -> int:
    """The node count the role computed the profile for (its run_once task ran on one host)."""
    (computed,) = result.task("Compute the profile's settings for the cluster").values()
    nodes: int = computed["ansible_facts"]["__node_timing_profile"]["nodes"]
    return nodes


@pytest.mark.parametrize("name", ["check.yml", "kubespray-integration.yml"])
def test_header_names_the_current_layout_inventory_from_the_repository_root(name: str) -> None:
    command = header_command(EXAMPLES / name)
    inventory = Path(command[command.index("-i") + 1])
    assert not inventory.is_absolute()
    assert (REPO / inventory).is_file()
    groups = re.findall(r"^\[([^\]:]+)", (REPO / inventory).read_text(encoding="utf-8"), re.M)
    assert "k8s_cluster" not in groups
    assert (REPO / command[-1]).resolve() == (EXAMPLES / name).resolve()


def test_check_example_checks_every_cluster_host(tmp_path: Path) -> None:
    result = run_header_command(EXAMPLES / "check.yml", tmp_path)
    assert result.rc == 0, str(result)
    assert_every_play_matched(result)
    grouped = result.task("Add the cluster hosts to k8s_cluster")
    assert sorted(grouped) == CLUSTER
    # The role ran (once per play, on one cluster host) and computed for all five nodes.
    checked = result.task("Check each distinct set of timing variables")
    assert len(checked) == 1 and set(checked) <= set(CLUSTER), str(result)
    assert profile_nodes(result) == len(CLUSTER)
    # verify is off: its include is skipped once for the play, not once per host
    (verify,) = result.task("Verify what the nodes run against the variables").values()
    assert verify.get("skipped"), str(result)


def test_integration_example_deploys_the_computed_settings(tmp_path: Path) -> None:
    result = run_header_command(EXAMPLES / "kubespray-integration.yml", tmp_path)
    assert result.rc == 0, str(result)
    assert_every_play_matched(result)
    assert profile_nodes(result) == len(CLUSTER)
    deployed = result.task("What kubespray deploys")
    assert sorted(deployed) == CLUSTER
    for host in CLUSTER:
        msg = deployed[host]["msg"]
        # medium for 5 nodes, the inventory's own values being the same profile's
        assert msg["grace"] == "2m0s"
        assert msg["update"] == "20s"
        assert msg["kubelet"]["nodeLeaseDurationSeconds"] == 80


def test_check_example_fails_on_an_inventory_group_vars_finding(tmp_path: Path) -> None:
    """The group_vars under k8s_cluster/ reach the check although the inventory does not define
    the group: a bad value there fails the play."""
    inventory = tmp_path / "inventory"
    source = REPO / "examples" / "inventory" / "kubespray-current"
    for path in source.rglob("*"):
        if path.is_file():
            target = inventory / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (inventory / "group_vars" / "k8s_cluster" / "node-timing.yml").write_text(
        "kube_controller_node_monitor_grace_period: 15s\n", encoding="utf-8"
    )
    command = header_command(EXAMPLES / "check.yml")
    command[command.index("-i") + 1] = str(inventory / "inventory.ini")
    shown = tmp_path / "check.yml"
    shown.write_text(
        (EXAMPLES / "check.yml")
        .read_text(encoding="utf-8")
        .replace(
            "ansible-playbook -i examples/inventory/kubespray-current/inventory.ini",
            f"ansible-playbook -i {inventory / 'inventory.ini'}",
        ),
        encoding="utf-8",
    )
    result = run_header_command(shown, tmp_path)
    assert result.rc == 2, str(result)
    assert "grace-vs-heartbeat" in result.stdout
    assert "node-timing.yml" in result.stdout
    # a finding about a default is located where the cluster sets its timing, never at line 0
    assert not re.search(r"\.(ini|yml|yaml):0\b", result.stdout), result.stdout


def test_the_readme_tour_runs_the_example_headers() -> None:
    """The tour's ansible-playbook lines are exactly the example headers the tests above run."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    tour = text.split("\n## Tour\n", 1)[1].split("\n## ", 1)[0]
    lines = [
        shlex.split(line[2:], comments=True)
        for line in tour.splitlines()
        if line.startswith("$ ansible-playbook ")
    ]
    assert lines, "the tour shows the role"
    headers = [header_command(p) for p in sorted(EXAMPLES.glob("*.yml"))]
    for command in lines:
        assert command in headers, f"{command} is no example header"
