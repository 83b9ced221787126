"""The example playbooks, run with the very command their header gives, from the repository root.

The inventory is in kubespray's current layout (no k8s_cluster group: kubespray defines it at run
time). A play that matches no host exits 0 with "no hosts matched", so every test here asserts
which hosts each play ran on. kubespray itself is a stand-in written by the tests, laid out as
kubespray lays itself out: a checkout (``cluster.yml`` at the root importing
``playbooks/cluster.yml``) or the installed collection ``kubernetes_sigs.kubespray``
(``playbooks/*.yml`` beside ``galaxy.yml`` and ``MANIFEST.json``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playbook_runner import REPO, Result, ansible_bin

EXAMPLES = REPO / "examples" / "playbooks"
CLUSTER = ["node1", "node2", "node3", "node4", "node5"]
# kubespray's playbooks/boilerplate.yml defines k8s_cluster from its children (dynamic_groups)
BOILERPLATE = """\
---
- name: Inventory setup (stand-in)
  hosts: all
  gather_facts: false
  tasks:
    - name: Define k8s_cluster
      ansible.builtin.group_by:
        key: k8s_cluster
      when: group_names | intersect(['kube_control_plane', 'kube_node', 'calico_rr']) | length > 0
"""
# kubespray's playbooks/cluster.yml: its roles read these variables to render the nodes' files
PLAYBOOKS_CLUSTER = """\
---
- name: Inventory setup (stand-in)
  ansible.builtin.import_playbook: boilerplate.yml

- name: Kubespray cluster (stand-in)
  hosts: k8s_cluster
  gather_facts: false
  tasks:
    - name: What kubespray deploys
      ansible.builtin.debug:
        msg:
          grace: "{{ kube_controller_node_monitor_grace_period }}"
          update: "{{ kubelet_status_update_frequency }}"
          kubelet: "{{ kubelet_config_extra_args }}"
"""
# the checkout's top-level cluster.yml
ROOT_CLUSTER = """\
---
- name: Install Kubernetes
  ansible.builtin.import_playbook: playbooks/cluster.yml
"""


def kubespray_checkout(root: Path) -> Path:
    """A kubespray checkout with its example inventory as inventory/mycluster."""
    (root / "playbooks").mkdir(parents=True)
    (root / "playbooks" / "boilerplate.yml").write_text(BOILERPLATE, encoding="utf-8")
    (root / "playbooks" / "cluster.yml").write_text(PLAYBOOKS_CLUSTER, encoding="utf-8")
    (root / "cluster.yml").write_text(ROOT_CLUSTER, encoding="utf-8")
    (root / "galaxy.yml").write_text(GALAXY, encoding="utf-8")
    shutil.copytree(
        REPO / "examples" / "inventory" / "kubespray-current", root / "inventory" / "mycluster"
    )
    return root


GALAXY = "namespace: kubernetes_sigs\nname: kubespray\nversion: 2.31.0\nreadme: README.md\nauthors: [stand-in]\n"


def kubespray_collection(root: Path) -> Path:
    """kubespray installed as a collection under ``root`` (a collections path)."""
    collection = root / "ansible_collections" / "kubernetes_sigs" / "kubespray"
    (collection / "playbooks").mkdir(parents=True)
    (collection / "playbooks" / "boilerplate.yml").write_text(BOILERPLATE, encoding="utf-8")
    (collection / "playbooks" / "cluster.yml").write_text(PLAYBOOKS_CLUSTER, encoding="utf-8")
    (collection / "galaxy.yml").write_text(GALAXY, encoding="utf-8")
    manifest = {
        "collection_info": {
            "namespace": "kubernetes_sigs",
            "name": "kubespray",
            "version": "2.31.0",
        },
        "format": 1,
    }
    (collection / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def header_command(playbook: Path) -> list[str]:
    """The ``ansible-playbook`` command in the playbook's leading comment, continuations joined."""
    text = playbook.read_text(encoding="utf-8")
    found = re.search(r"^#\s+(ansible-playbook (?:[^\n]*\\\n#\s*)*[^\n]*)$", text, re.MULTILINE)
    assert found, f"{playbook.name}: no ansible-playbook command in its header"
    command = re.sub(r"\\\n#\s*", " ", found.group(1))
    return shlex.split(command)


def run_header_command(
    playbook: Path, tmp_path: Path, cwd: Path = REPO, collections: Path | None = None
) -> Result:
    """Runs the header's command in ``cwd`` (the repository root) with this checkout's
    collection and, when given, the collections path holding kubespray."""
    command = header_command(playbook)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    record = tmp_path / "record.json"
    env.update(
        {
            "ANSIBLE_HOME": str(tmp_path / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / ".ansible" / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            # the checkout's collection (as its ansible.cfg says) and kubespray's, if installed
            "ANSIBLE_COLLECTIONS_PATH": ":".join(
                str(p) for p in (collections, REPO / "collections") if p is not None
            ),
            "PYTHONPATH": os.environ.get("NODE_TIMING_CORE_PATH", str(REPO / "src")),
            "NODE_TIMING_RECORD": str(record),
            "ANSIBLE_CALLBACK_PLUGINS": str(REPO / "tests" / "ansible" / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "node_timing_record",
        }
    )
    proc = subprocess.run(
        [str(ansible_bin() / command[0]), *command[1:]],
        cwd=cwd,
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


def summary(result: Result) -> str:
    (shown,) = result.task("Summarise the timing check").values()
    return str(shown["msg"])


def profile_nodes(result: Result) -> int:
    """The node count the role computed the profile for (its run_once task ran on one host)."""
    (computed,) = result.task("Compute the profile's settings for the cluster").values()
    nodes: int = computed["ansible_facts"]["__node_timing_profile"]["nodes"]
    return nodes


@pytest.mark.parametrize("name", ["check.yml", "kubespray-collection.yml"])
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
    # The role ran (once per play, on one cluster host), checked all five, and said so.
    checked = result.task("Check each distinct set of timing variables")
    assert len(checked) == 1 and set(checked) <= set(CLUSTER), str(result)
    assert summary(result) == (
        "node-timing: checked 5 cluster hosts: 0 error(s), 0 warning(s); "
        "none at node_timing_fail_on=error"
    )
    # no profile: nothing is computed or exported
    (computed,) = result.task("Compute the profile's settings for the cluster").values()
    assert computed.get("skipped"), str(result)
    # verify is off: its include is skipped once for the play, not once per host
    (verify,) = result.task("Verify what the nodes run against the variables").values()
    assert verify.get("skipped"), str(result)


@pytest.mark.parametrize(
    "inventory",
    [
        "kubespray-current/inventory.ini",
        "mycluster/inventory.ini",
        "upstream-explicit/hosts.yaml",
    ],
)
def test_check_example_reaches_the_verdict_of_lint(tmp_path: Path, inventory: str) -> None:
    """check.yml (node_timing_fail_on=error) passes exactly where `node-timing lint` does."""
    path = REPO / "examples" / "inventory" / inventory
    linted = subprocess.run(
        [sys.executable, "-m", "node_timing", "lint", str(path.parent), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    shown = tmp_path / "check.yml"
    shown.write_text(
        (EXAMPLES / "check.yml")
        .read_text(encoding="utf-8")
        .replace("examples/inventory/kubespray-current/inventory.ini", str(path)),
        encoding="utf-8",
    )
    result = run_header_command(shown, tmp_path)
    assert (result.rc == 0) == (linted.returncode == 0), (linted.stdout, str(result))
    assert linted.returncode == 0  # every example inventory passes lint (some with warnings)
    warnings = len(re.findall(r"^\s+warning ", linted.stdout, re.M))
    assert f"0 error(s), {warnings} warning(s)" in summary(result), (linted.stdout, str(result))


def _assert_deployed_medium(result: Result) -> None:
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
    (replaced,) = result.task("Report the kubespray variables the profile replaces").values()
    assert replaced["msg"][0].startswith("node-timing: profile medium replaces"), replaced


def test_collection_example_deploys_the_computed_settings(tmp_path: Path) -> None:
    collections = kubespray_collection(tmp_path / "collections")
    result = run_header_command(
        EXAMPLES / "kubespray-collection.yml", tmp_path, collections=collections
    )
    _assert_deployed_medium(result)


def test_checkout_example_runs_beside_kubespray_s_playbooks(tmp_path: Path) -> None:
    """As its header says: copied to a kubespray checkout's root, run there with the checkout's
    inventory; kubespray is no collection here, its cluster.yml is imported by path."""
    checkout = kubespray_checkout(tmp_path / "kubespray")
    shutil.copy(EXAMPLES / "kubespray-integration.yml", checkout / "kubespray-integration.yml")
    command = header_command(EXAMPLES / "kubespray-integration.yml")
    assert command == [
        "ansible-playbook",
        "-i",
        "inventory/mycluster/inventory.ini",
        "kubespray-integration.yml",
    ]
    result = run_header_command(EXAMPLES / "kubespray-integration.yml", tmp_path, cwd=checkout)
    _assert_deployed_medium(result)


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


def test_the_tour_runs_the_example_headers() -> None:
    """The tours' ansible-playbook lines are exactly the example headers the tests above run."""
    from tourkit import tour_lines

    lines = [
        shlex.split(line, comments=True)
        for line in tour_lines()
        if line.startswith("ansible-playbook ")
    ]
    assert lines, "the tour shows the role"
    headers = [header_command(p) for p in sorted(EXAMPLES.glob("*.yml"))]
    for command in lines:
        assert command in headers, f"{command} is no example header"


def test_checkout_example_passes_ansible_lint_beside_kubespray_s_playbooks(
    tmp_path: Path,
) -> None:
    """ansible-lint's production profile, where the example's import resolves (the repository's
    .ansible-lint leaves it out: examples/playbooks/ holds no cluster.yml)."""
    checkout = kubespray_checkout(tmp_path / "kubespray")
    shutil.copy(EXAMPLES / "kubespray-integration.yml", checkout / "kubespray-integration.yml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.pop("PYTHONPATH", None)
    env.update(
        {
            "PATH": f"{ansible_bin()}:{env.get('PATH', '')}",
            "ANSIBLE_COLLECTIONS_PATH": str(REPO / "collections"),
            "ANSIBLE_HOME": str(tmp_path / ".ansible"),
            "NO_COLOR": "1",
        }
    )
    proc = subprocess.run(
        [
            str(ansible_bin() / "ansible-lint"),
            "--offline",
            "--profile",
            "production",
            "kubespray-integration.yml",
        ],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
