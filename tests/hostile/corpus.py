"""Hostile and broken inventories, each with the behaviour docs/limits.md ("Limits and bad input") documents.

A case is a set of files under the inventory directory (text, bytes, or a function that makes
the file: large files, FIFOs and symlinks are made at test time, never committed), the exit code
of ``node-timing lint`` and a text its output must contain. ``test_hostile.py`` runs each one in
a subprocess with a memory and a time limit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HOSTS = "[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n"
GRACE = "kube_controller_node_monitor_grace_period"
FLAPPING = f"{GRACE}: 5s\n"  # grace-vs-heartbeat error: proves the file was read

Maker = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str | bytes | Maker]
    exit: int
    expect: str  # in stdout + stderr
    hosts: str | None = HOSTS  # inventory.ini, unless the case brings its own
    needs_non_root: bool = False
    absent: tuple[str, ...] = field(default=())  # must not appear in the output


def _laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        prev, cur = chr(96 + i), chr(97 + i)
        text += f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]\n"
    return text + f"kubelet_status_update_frequency: *{chr(96 + levels)}\n"


def _big(target: Path) -> None:
    """50 MiB of valid YAML, written without holding it in memory twice."""
    line = b"  k: 'some text that makes the file large, line after line'\n"
    with open(target, "wb") as fh:
        fh.write(b"padding:\n")
        chunk = line * 16384
        for _ in range((50 << 20) // len(chunk) + 1):
            fh.write(chunk)


def _fifo(target: Path) -> None:
    os.mkfifo(target)


def _self_link(target: Path) -> None:
    os.symlink(target.name, target)


def _parent_link(target: Path) -> None:
    os.symlink("..", target)


def _dir(target: Path) -> None:
    target.mkdir()


MARKER = "node-timing-marker"  # any file of this name below the case's root: something ran


def _marker_of(target: Path) -> Path:
    inv = next(p for p in target.parents if p.name == "inventory")
    return inv.parent / MARKER


def _marking(target: Path) -> None:
    """An executable that proves it ran: it creates the marker beside the inventory."""
    target.write_text(f'#!/bin/sh\ntouch "{_marker_of(target)}"\necho "{{}}"\n')
    target.chmod(0o755)


def _pipe_plugin(target: Path) -> None:
    target.write_text(
        "plugin: ansible.builtin.constructed\n"
        f"compose:\n  x: lookup('pipe', 'touch {_marker_of(target)}')\n"
    )


def _link_to(destination: str) -> Maker:
    def make(target: Path) -> None:
        os.symlink(destination, target)

    return make


def _deep(levels: int) -> Maker:
    def make(target: Path) -> None:
        target.mkdir()
        fd = os.open(target, os.O_RDONLY)
        try:
            for _ in range(levels):  # relative to a directory fd: no path grows past PATH_MAX
                os.mkdir("d", dir_fd=fd)
                nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nxt
        finally:
            os.close(fd)

    return make


YAML_HOSTS = "all:\n  children:\n    kube_node:\n      hosts:\n        node1:\n"
CERTIFICATE_KEY = "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2"


def _unreadable(target: Path) -> None:
    target.write_text(f"{GRACE}: 20s\n")
    target.chmod(0)


def _digits_duration(target: Path) -> None:
    """A 10 MB duration of digits: quadratic to read before parsing stopped at the overflow."""
    with open(target, "w") as fh:
        fh.write(f'{GRACE}: "')
        chunk = "9" * (1 << 20)
        for _ in range(10):
            fh.write(chunk)
        fh.write('s"\n')


def _million_keys(target: Path) -> None:
    """1,000,000 keys (15.8 MB, under the file size limit): 72 s and 1.3 GB before the node
    limit."""
    with open(target, "w") as fh:
        for block in range(100):
            fh.write("".join(f"k{i}: {i}\n" for i in range(block * 10000, (block + 1) * 10000)))


def _yaml_hosts(value: str) -> str:
    """A YAML inventory whose control-plane host has ``x: value``."""
    return (
        "all:\n  children:\n    kube_control_plane:\n      hosts:\n        cp1:\n"
        f"          x: {value}\n    kube_node:\n      hosts:\n        node1:\n"
    )


_LOOP = "{% for a in s %}"  # 1,000 iterations each, nested four deep: 10^12 without a budget
_LONG_TEMPLATE = "{{ " + " + ".join(["undefined_variable_x"] * 150) + " }}"  # 3,450 chars

CASES: list[Case] = [
    # --- YAML structure
    Case("alias-bomb", {"group_vars/all.yml": _laughs()}, 2, "a YAML alias bomb"),
    Case(
        "alias-recursive",
        {"group_vars/all.yml": "kubelet_config_extra_args: &a {x: *a}\n"},
        2,
        "recursive document",
    ),
    Case(
        "alias-merge-key",
        {
            "group_vars/all.yml": (
                "base: &b {node-startup-grace-period: 1m0s}\n"
                "kube_kubeadm_controller_extra_args: {<<: *b, node-monitor-period: 5s}\n"
            )
        },
        0,
        "grace-vs-heartbeat",
    ),
    Case(
        "nested-10000-flow",
        {"group_vars/all.yml": "a: " + "[" * 10000 + "]" * 10000 + "\n"},
        2,
        "exceeded maximum nesting depth",
    ),
    Case(
        "nested-10000-block",
        {"group_vars/all.yml": "- " * 10000 + "1\n"},
        2,
        "exceeded maximum nesting depth",
    ),
    Case(
        "nested-150",
        {
            "group_vars/all.yml": "kubelet_config_extra_args: "
            + "{a: " * 150
            + "1"
            + "}" * 150
            + "\n"
        },
        2,
        "nested deeper than 100 levels",
    ),
    Case(
        "group-chain-5000",
        {},
        0,
        "grace-vs-heartbeat",
        hosts=(
            "".join(f"[g{i}:children]\ng{i + 1}\n" for i in range(5000))
            + "[g5000]\nh1\n[kube_node:children]\ng0\n"
        ),
    ),
    Case(
        "yaml-inventory-too-deep",
        {
            "hosts.yaml": "all:\n  children:\n"
            + "".join(
                " " * (4 * i + 4) + f"g{i}:\n" + " " * (4 * i + 6) + "children:\n"
                for i in range(60)
            )
        },
        5,
        "nested deeper than 100 levels",
        hosts=None,
    ),
    Case("file-50mib", {"group_vars/all.yml": _big}, 2, "file larger than 16 MiB"),
    Case(
        "several-documents",
        {"group_vars/all.yml": f"{GRACE}: 20s\n---\n{GRACE}: 50s\n"},
        2,
        "expected a single document",
    ),
    Case("empty-file", {"group_vars/all.yml": ""}, 0, "grace-vs-heartbeat"),
    Case("document-marker-only", {"group_vars/all.yml": "---\n"}, 0, "grace-vs-heartbeat"),
    Case("not-a-mapping", {"group_vars/all.yml": "- 1\n- 2\n"}, 2, "vars file must be a mapping"),
    Case(
        "duplicate-key", {"group_vars/all.yml": f"{GRACE}: 20s\n{GRACE}: 50s\n"}, 2, "duplicate key"
    ),
    # --- encodings and whitespace
    Case(
        "invalid-utf8",
        {"group_vars/all.yml": b"a: 1\nb: \xff\xfe\n"},
        2,
        "all.yml:2:4: yaml-load: file is not valid UTF-8",
    ),
    Case(
        "byte-order-mark",
        {"group_vars/all.yml": f"\ufeff{FLAPPING}"},
        2,
        "all.yml:1:44: grace-vs-heartbeat",
    ),
    Case(
        "crlf",
        {"group_vars/all.yml": f"{GRACE}: 5s\r\nkubelet_status_update_frequency: 10s\r\n"},
        2,
        "all.yml:1:44: grace-vs-heartbeat",
    ),
    Case(
        "tab-indent",
        {"group_vars/all.yml": "kubelet_config_extra_args:\n\tnodeStatusReportFrequency: 1m\n"},
        2,
        "found character that cannot start any token",
    ),
    # --- YAML 1.1 as Ansible reads it (PyYAML)
    Case("yaml11-boolean", {"group_vars/all.yml": f"{GRACE}: yes\n"}, 2, "got True"),
    Case(
        "yaml11-octal",
        {"group_vars/all.yml": "kube_apiserver_pod_eviction_unreachable_timeout_seconds: 0755\n"},
        0,
        "grace-vs-heartbeat",
        absent=("seconds-format",),
    ),
    Case(
        "yaml12-octal",
        {"group_vars/all.yml": "kube_apiserver_pod_eviction_unreachable_timeout_seconds: 0o755\n"},
        2,
        "seconds-format",
    ),
    # --- vault
    Case(
        "vault-file",
        {"group_vars/all.yml": "$ANSIBLE_VAULT;1.1;AES256\n6162636465\n"},
        0,
        "unresolved-value: vault-encrypted file",
    ),
    Case(
        "vault-inline",
        {"group_vars/all.yml": f"{GRACE}: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n"},
        0,
        "all.yml:1:44: unresolved-value: kube_controller_node_monitor_grace_period is encrypted",
    ),
    Case(
        "vault-inline-extra-args-key",
        {
            "group_vars/all.yml": (
                "kube_kubeadm_controller_extra_args:\n  node-monitor-grace-period: !vault |\n"
                "    $ANSIBLE_VAULT;1.1;AES256\n    6162\n"
            )
        },
        0,
        "all.yml:2:3: unresolved-value: kube_kubeadm_controller_extra_args.node-monitor-grace-period is encrypted",
    ),
    Case(
        "vault-inventory",
        {"hosts.yaml": "$ANSIBLE_VAULT;1.1;AES256\n6162\n"},
        5,
        "vault-encrypted file",
        hosts=None,
    ),
    # --- the file system
    Case(
        "fifo-vars-file",
        {"group_vars/all.yml": _fifo},
        2,
        "all.yml:1:1: yaml-load: cannot read: not a regular file",
    ),
    Case("fifo-inventory", {"hosts": _fifo}, 5, "not a regular file", hosts=None),
    Case(
        "directory-named-like-file",
        {"group_vars/all.yml": _dir, "group_vars/all.yml/timing.yml": FLAPPING},
        2,
        "timing.yml:1:44: grace-vs-heartbeat",
    ),
    Case(
        "symlink-to-itself",
        {"group_vars/all.yml": _self_link},
        2,
        "cannot read: Too many levels of symbolic links",
    ),
    Case(
        "symlink-directory-loop",
        {"group_vars/all/timing.yml": FLAPPING, "group_vars/all/up": _parent_link},
        2,
        "timing.yml:1:44: grace-vs-heartbeat",
    ),
    Case(
        "unreadable-file",
        {"group_vars/all.yml": _unreadable},
        2,
        "cannot read: Permission denied",
        needs_non_root=True,
    ),
    # --- host names
    Case(
        "host-names-hostile",
        {
            "hosts.yaml": (
                "all:\n  children:\n    kube_control_plane:\n      hosts:\n        '../../etc/passwd':\n"
                "        '$(rm -rf /)':\n        'a;b':\n        'nœud-é':\n    kube_node:\n      hosts:\n        '/abs/host':\n"
            ),
            "host_vars/a;b.yml": f"{GRACE}: 1s\n",
        },
        2,
        "control-plane-drift",
        hosts=None,
    ),
    Case(
        "host-name-shell-in-ini", {}, 5, "invalid INI inventory", hosts="[kube_node]\n$(rm -rf /)\n"
    ),
    # --- wrong types
    Case(
        "wrong-type-extra-args",
        {
            "group_vars/all.yml": (
                "kubelet_config_extra_args: text\nkube_kubeadm_controller_extra_args: 5\nkube_kubeadm_apiserver_extra_args: [1]\n"
            )
        },
        2,
        "value-type: kubelet_config_extra_args must be a mapping",
    ),
    Case(
        "wrong-type-kube-version",
        {"group_vars/all.yml": "kube_version: [1, 2]\n"},
        2,
        "kube-version: Kubernetes version must be a string",
    ),
    Case(
        "wrong-type-duration",
        {"group_vars/all.yml": "kubelet_status_update_frequency: {a: 1}\n"},
        2,
        "duration-format: kubelet_status_update_frequency must be a Go duration",
    ),
    Case(
        "wrong-type-tolerations",
        {
            "group_vars/all.yml": (
                "kube_apiserver_pod_eviction_not_ready_timeout_seconds: [300]\n"
                "kube_apiserver_pod_eviction_unreachable_timeout_seconds: {a: 1}\n"
            )
        },
        2,
        "seconds-format",
    ),
    Case(
        "wrong-type-node-count",
        {"group_vars/all.yml": "node_timing_node_count: many\n"},
        2,
        "value-type: node_timing_node_count must be a whole number",
    ),
    Case(
        "wrong-type-numbers",
        {
            "group_vars/all.yml": (
                f"{GRACE}: .nan\nkube_kubeadm_controller_extra_args: {{node-eviction-rate: .inf, "
                "unhealthy-zone-threshold: .nan, large-cluster-size-threshold: 1e400}\n"
                "kubelet_config_extra_args: {nodeLeaseDurationSeconds: 99999999999999999999999999999}\n"
            )
        },
        2,
        "duration-format",
    ),
    Case(
        "huge-list-value", {"group_vars/all.yml": f"{GRACE}: [" + "1, " * 200000 + "1]\n"}, 2, "..."
    ),
    Case(
        "template-bomb",
        {
            "group_vars/all.yml": (
                f"{GRACE}: \"{{{{ 'x' * 99999999 }}}}\"\n"
                "kube_controller_node_monitor_period: \"{{ 'a' | center(999999999) }}\"\n"
                "kube_apiserver_pod_eviction_not_ready_timeout_seconds: \"{{ '{:>999999999}'.format(1) }}\"\n"
                'kubelet_status_update_frequency: "{{ 9 ** 9 ** 9 }}"\n'
            )
        },
        2,
        "unresolved-value",
    ),
    # --- untrusted inventories: nothing runs, nothing outside the project is read
    Case(
        "kubespray-post-deployment",
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": FLAPPING,
            "credentials/kubeadm_certificate_key.creds": CERTIFICATE_KEY + "\n",
            "credentials/kube_encrypt_token.creds": "TokenSecretKubeEncrypt\n",
            "artifacts/admin.conf": "apiVersion: v1\nkind: Config\nusers: []\n",
            "artifacts/kubectl": _marking,
            "artifacts/kubectl.sh": _marking,
        },
        2,
        "k8s-cluster.yml:1:44: grace-vs-heartbeat",
        absent=(CERTIFICATE_KEY, "TokenSecretKubeEncrypt", "credentials", "artifacts"),
    ),
    Case(
        "executable-inventory",
        {"hosts": _marking},
        5,
        "not read: an executable inventory script",
        hosts=None,
    ),
    Case(
        "executable-beside-inventory",
        {"hosts.yaml": YAML_HOSTS, "dynamic.py": _marking},
        0,
        "dynamic.py:1:1: yaml-load: not read: an executable inventory script",
        hosts=None,
    ),
    Case(
        "plugin-config-pipe-lookup",
        {"hosts.yaml": YAML_HOSTS, "constructed.yml": _pipe_plugin},
        0,
        "not read: an inventory plugin configuration",
        hosts=None,
    ),
    Case(
        "symlink-directory-out-of-project",
        {"hosts.yaml": YAML_HOSTS, "linked": _link_to("/usr/bin")},
        0,
        "linked:1:1: yaml-load: not read: a symlink to a path outside the project",
        hosts=None,
    ),
    Case(
        "symlink-hosts-to-environ",
        {"hosts": _link_to("/proc/self/environ")},
        0,
        "not read: a symlink to a path outside the project",
        absent=("PYTHONPATH=", "/proc"),
    ),
    Case(
        "directory-1500-deep",
        {"hosts.yaml": YAML_HOSTS, "d": _deep(1500)},
        2,
        "not read: directories nested deeper than 32 levels",
        hosts=None,
    ),
    Case(
        "not-an-inventory",
        {"a/b/hosts": HOSTS, "a/b/run.sh": _marking},
        5,
        "no inventory here",
        hosts=None,
    ),
    # --- output escaping
    Case(
        "values-forging-ci-lines",
        {
            "group_vars/all.yml": (
                f'{GRACE}: "5s\\n::error file=x::pwned\\r\\n##[error]boom\\e[31mred\\0"\n'
            )
        },
        2,
        "\\n::error file=x::pwned\\r\\n##\\x5berror]boom\\x1b[31mred\\x00",
        absent=("\n::error", "##[error]", "\x1b", "\x00"),
    ),
    Case(
        "file-names-forging-ci-lines",
        {"group_vars/all/a\n::error file=x::pwned\x1b[31m.yml": FLAPPING},
        2,
        "group_vars/all/a\\n::error file=x::pwned\\x1b[31m.yml:1:",
        absent=("\n::error", "\x1b"),
    ),
    Case(
        "host-names-forging-ci-lines",
        {
            "hosts.yaml": 'all:\n  hosts:\n    "a\\n::warning::x\\ec":\n    cp1:\n',
            "host_vars/a\n::warning::x\x1bc.yml": FLAPPING,
        },
        2,
        "host_vars/a\\n::warning::x\\x1bc.yml:1:",
        hosts=None,
        absent=("\n::warning", "\x1b"),
    ),
    Case(
        "file-name-not-utf8",
        {"group_vars/all/n\udcff1.yml": FLAPPING},  # the byte 0xff, as os.listdir returns it
        2,
        "group_vars/all/n\\xff1.yml:1:",
    ),
    # --- bounded parsing and templating
    Case(
        "template-nested-loops",
        {
            "group_vars/all.yml": (
                "s: " + "a" * 1000 + "\n"
                f'{GRACE}: "{_LOOP * 4}' + "{% endfor %}" * 4 + '50s"\n'  # no output: only steps
            )
        },
        0,
        "costs too much to evaluate here (more than 10,000 loop iterations, calls and filters)",
    ),
    Case(
        "template-format-width",
        {
            "group_vars/all.yml": (
                f"{GRACE}: \"{{{{ '%900000000d' % 40 }}}}\"\n"
                "kube_controller_node_monitor_period: \"{{ '%900000000d' | format(40) }}\"\n"
            )
        },
        0,
        "a % format width above 4096",
    ),
    Case(
        "template-concat-doubling",
        {
            "group_vars/all.yml": (
                f"{GRACE}: \"{{% set x = 'ab' %}}" + "{% set x = x ~ x %}" * 30 + '{{ x }}"\n'
            )
        },
        0,
        "a ~ result longer than 4096 characters",
    ),
    Case(
        "template-unsafe",
        {"group_vars/all.yml": f'grace: 50s\n{GRACE}: !unsafe "{{{{ grace }}}}"\n'},
        2,
        "is not a Go duration",
        absent=("unresolved-value",),
    ),
    Case(
        "template-long-message",
        {"group_vars/all.yml": f'{GRACE}: "{_LONG_TEMPLATE}"\n'},
        0,
        "needs 'undefined_variable_x'",
    ),
    Case("duration-10mb-digits", {"group_vars/all.yml": _digits_duration}, 2, "invalid duration"),
    Case(
        "integer-5000-digits",
        {"group_vars/all.yml": f"{GRACE}: " + "9" * 5000 + "\n"},
        2,
        "all.yml:1:44: yaml-load: invalid YAML: an integer of more than 4,300 digits",
    ),
    Case(
        "integer-4000-digits",
        {
            "group_vars/all.yml": "".join(
                f"{name}: {'9' * 4000}\n"
                for name in (
                    "kube_apiserver_pod_eviction_unreachable_timeout_seconds",
                    "node_timing_node_count",
                    "node_timing_heartbeat_budget",
                )
            )
            + "kube_kubeadm_controller_extra_args: {node-eviction-rate: "
            + "9" * 4000
            + ", node-monitor-grace-period: "
            + "9" * 4000
            + "}\n"
        },
        2,
        "must be at most 9223372036854775807 (the component stores it in 64 bits)",
    ),
    Case(
        "integer-5000-digits-inventory",
        {"hosts.yaml": _yaml_hosts("9" * 5000)},
        5,
        "hosts.yaml:6:14: yaml-load: invalid YAML: an integer of more than 4,300 digits",
        hosts=None,
    ),
    Case(
        "yaml-unknown-tag",
        {"group_vars/all.yml": f"{GRACE}: !foo 5\n"},
        2,
        "all.yml:1:44: yaml-load: invalid YAML: unknown YAML tag '!foo'",
    ),
    Case(
        "yaml-wrong-tag-values",
        {"group_vars/all.yml": f'{GRACE}: !!int "40s"\nother: !!float "abc"\n'},
        2,
        "all.yml:1:44: yaml-load: invalid YAML: '40s' is not a valid !!int",
    ),
    Case(
        "yaml-python-tag-inventory",
        {"hosts.yaml": _yaml_hosts("!!python/object/apply:os.system [id]")},
        5,
        "hosts.yaml:6:14: yaml-load: invalid YAML: unknown YAML tag '!!python/object/apply:os.system'",
        hosts=None,
    ),
    Case(
        "yaml-wrong-tag-inventory",
        {"hosts.yaml": _yaml_hosts('!!int "40s"')},
        5,
        "hosts.yaml:6:14: yaml-load: invalid YAML: '40s' is not a valid !!int",
        hosts=None,
    ),
    Case(
        "host-range-10-million",
        {},
        5,
        "inventory.ini:2:1: yaml-load: invalid INI inventory: invalid host pattern 'node[1:10000000]': "
        "expands to more than 100,000 hosts",
        hosts="[kube_node]\nnode[1:10000000]\n",
    ),
    Case(
        "host-range-product",
        {},
        5,
        "expands to more than 100,000 hosts",
        hosts="[kube_node]\nn[1:100000]x[1:100000]\n",
    ),
    Case(
        "host-range-32-digits",
        {"hosts.yaml": "all:\n  hosts:\n    n[1:" + "9" * 32 + "]:\n"},
        5,
        "hosts.yaml:3:5: yaml-load: invalid host pattern 'n[1:999",
        hosts=None,
    ),
    Case("million-keys", {"group_vars/all.yml": _million_keys}, 2, "more than 500,000 YAML nodes"),
    Case(
        "kubelet-custom-flags-string",
        {"group_vars/all.yml": 'kubelet_custom_flags: "--node-status-update-frequency=4s"\n'},
        2,
        "misplaced-setting: kubelet_custom_flags is the string",
    ),
    Case(
        "kubelet-zero-intervals",
        {
            "group_vars/all.yml": (
                "kubelet_status_update_frequency: 0s\n"
                "kubelet_config_extra_args: {nodeLeaseDurationSeconds: 0}\n"
            )
        },
        0,
        "",
        absent=("busy loop", "must be at least 1"),
    ),
    Case(
        "zone-threshold-above-one",
        {
            "group_vars/all.yml": "kube_kubeadm_controller_extra_args: {unhealthy-zone-threshold: '2'}\n"
        },
        0,
        "eviction-rate: unhealthy-zone-threshold 2 is above 1",
    ),
]

# --- linear rules and CLI input
# Every host with a host_vars file of its own values: one signature group per host. Rules that
# scanned every group once per group took 41 s at 8,000 hosts; 12,000 runs out of the time limit
# unless the rule runner is linear.
DISTINCT_HOSTS = 12_000
# Half of the control-plane hosts share the default grace period, the other half each differ:
# a finding per differing host that listed the shared half as well grew as hosts².
DRIFTING_CONTROL_PLANE = 6_000


def _distinct_hosts() -> str:
    nodes = "\n".join(f"node{i}" for i in range(DISTINCT_HOSTS))
    return f"[kube_control_plane]\ncp1\n\n[kube_node]\n{nodes}\n"


def _drifting_control_plane() -> str:
    cps = "\n".join(f"cp{i}" for i in range(2 * DRIFTING_CONTROL_PLANE))
    return f"[kube_control_plane]\n{cps}\n\n[kube_node]\nnode1\n"


def _config_17mib(target: Path) -> None:
    with open(target, "wb") as fh:
        fh.write(b"skip_list:\n")
        fh.truncate(17 << 20)


CASES += [
    Case(
        "distinct-values-per-host",
        {
            f"host_vars/node{i}.yml": f"kubelet_status_update_frequency: {1000 + i}ms\n"
            for i in range(DISTINCT_HOSTS)
        },
        0,
        "report-frequency",
        hosts=_distinct_hosts(),
    ),
    Case(
        "control-plane-drift-many",
        {f"host_vars/cp{i}.yml": f"{GRACE}: {41 + i}s\n" for i in range(DRIFTING_CONTROL_PLANE)},
        2,
        "control-plane-drift",
        hosts=_drifting_control_plane(),
    ),
    Case(
        "non-finite-eviction-rate",
        {
            "group_vars/all.yml": (
                "kube_kubeadm_controller_extra_args:\n  node-eviction-rate: .nan\n"
                "  secondary-node-eviction-rate: -.inf\n  unhealthy-zone-threshold: 2\n"
            )
        },
        2,
        "eviction-rate: controller_manager.node_eviction_rate must be a finite number, got nan",
        absent=("=nan", "NaN"),
    ),
    Case(
        "lease-20-digits",
        {
            "group_vars/all.yml": (
                "kubelet_config_extra_args:\n  nodeLeaseDurationSeconds: 99999999999999999999\n"
                "kube_apiserver_pod_eviction_not_ready_timeout_seconds: '" + "9" * 5000 + "'\n"
            )
        },
        2,
        "seconds-format: kubelet.node_lease_duration_seconds must be at most 2147483647",
    ),
    Case(
        "config-nested",
        {".node-timing.yml": "skip_list: " + "[" * 150 + "]" * 150 + "\n"},
        3,
        "nested deeper than 100 levels",
    ),
    Case(
        "config-alias-bomb",
        {".node-timing.yml": _laughs().replace("kubelet_status_update_frequency:", "skip_list:")},
        3,
        "a YAML alias bomb",
    ),
    Case("config-fifo", {".node-timing.yml": _fifo}, 3, "not a regular file"),
    Case("config-17mib", {".node-timing.yml": _config_17mib}, 3, "file larger than 16 MiB"),
    Case(
        "config-schema",
        {".node-timing.yml": "skip_list: [yaml-load]\nnodes: 1e400\n"},
        3,
        ".node-timing.yml:2: nodes must be a whole number",
    ),
    Case(
        "config-threshold-nan",
        {".node-timing.yml": "thresholds: {monitor-period.info: .nan}\n"},
        3,
        ".node-timing.yml:1: thresholds: monitor-period.info must be a number above 0 up to 100, got nan",
    ),
    Case(
        "hosts-per-file",
        {},
        5,
        "more than 500,000 hosts, host variables and groups in one file",
        hosts="[kube_node]\n" + "".join(f"g{i}-n[1:100000]\n" for i in range(10)),
    ),
    Case(
        "template-work-per-run",
        {
            "group_vars/all.yml": "s: "
            + "x" * 105
            + "\n"
            + "".join(
                f'{name}: "{{% for a in s %}}{{% for b in s %}}{{% for c in s %}}{{% endfor %}}'
                '{% endfor %}{% endfor %}10s"\n'
                for name in (
                    GRACE,
                    "kube_controller_node_monitor_period",
                    "kubelet_status_update_frequency",
                    "kube_apiserver_pod_eviction_not_ready_timeout_seconds",
                    "kube_apiserver_pod_eviction_unreachable_timeout_seconds",
                )
            )
        },
        0,
        "cost more than 2,000,000 loop iterations, calls and filters",
        hosts="[kube_control_plane]\ncp1\n[kube_node]\n"
        + "".join(f"node{i} z={i}\n" for i in range(2000)),
    ),
]
