"""Read the kubelet's own files on a node, in one module run (a stat and a slurp per file cost a
module run each, a second or more apiece)."""

# Runs on the node, whose Python may be 3.6 (EL 8's platform Python): no newer syntax here.
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubetiming.node_timing.plugins.module_utils.node_root import (
    NodeRoot,
    Refused,
)

DOCUMENTATION = r"""
module: node_timing_kubelet_files
short_description: Read the files that decide the kubelet's timing on a node
version_added: "0.1.0"
author: node-timing contributors
description:
  - Reads, under O(root), the kubelet's systemd unit C(kubelet.service) and its drop-ins
    (C(kubelet.service.d/*.conf)) in systemd's unit directories, kubespray's
    C(/etc/kubernetes/kubelet.env) and C(/etc/kubernetes/kubelet-config.yaml), kubeadm's
    C(/var/lib/kubelet/kubeadm-flags.env) and C(/var/lib/kubelet/config.yaml),
    C(/etc/default/kubelet) and C(/etc/sysconfig/kubelet), and the C(.conf) files of each
    O(dirs) directory. Nothing else is read (no kubeconfig, no key).
  - Only regular files of at most 1 MiB are read; others are listed under C(not_read) with the reason.
  - Nothing outside O(root) is read. Every path is walked a component at a time from the root,
    each directory and file opened without following a symlink; a symlink met on the way is
    followed only while it stays inside O(root). A path that would leave it is not read; it is
    listed under C(not_read) and named in a warning.
  - Changes nothing; supports check mode.
options:
  root:
    description: The directory that stands for the node's C(/).
    type: path
    default: /
  dirs:
    description: More directories (node paths) whose C(.conf) files to read, such as the kubelet's C(--config-dir).
    type: list
    elements: str
    default: []
  files:
    description: More files (node paths) to read, such as a C(--config) file elsewhere.
    type: list
    elements: str
    default: []
  kubelet:
    description: Read the kubelet's files listed above; C(false) reads only O(files) and O(dirs).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Read the kubelet's files
  kubetiming.node_timing.node_timing_kubelet_files:
  register: kubelet_files
"""

RETURN = r"""
files:
  description: "C({node path: text}) of every file read."
  returned: always
  type: dict
not_read:
  description:
    - Files that exist but were not read, with the reason (a symlink out of O(root), not a
      regular file, too large, not UTF-8). Not C(skipped), which Ansible takes for the task's own
      state.
  returned: always
  type: list
  elements: dict
"""

UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)
FILES = (
    "/etc/kubernetes/kubelet.env",
    "/etc/kubernetes/kubelet-config.yaml",
    "/var/lib/kubelet/kubeadm-flags.env",
    "/var/lib/kubelet/config.yaml",
    "/etc/default/kubelet",
    "/etc/sysconfig/kubelet",
)
MAX_BYTES = 1 << 20
MAX_DROP_INS = 256


def _node_path(path):
    return os.path.normpath("/" + str(path).lstrip("/"))


def main():
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "path", "default": "/"},
            "dirs": {"type": "list", "elements": "str", "default": []},
            "files": {"type": "list", "elements": "str", "default": []},
            "kubelet": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    try:
        root = NodeRoot(module.params["root"])
    except OSError as exc:
        module.fail_json(msg="node root {}: {}".format(module.params["root"], exc.strerror or exc))
    found = {}
    not_read = []
    seen = set()

    def refused(node, exc):
        not_read.append({"path": node, "reason": str(exc)})
        module.warn(f"node-timing: {node} not read: {exc}")

    def read(node):
        # a path given in files or dirs that the module reads anyway is read once
        if node in seen:
            return
        seen.add(node)
        try:
            got = root.read(node, MAX_BYTES)
        except Refused as exc:
            return refused(node, exc)
        except OSError as exc:
            not_read.append({"path": node, "reason": exc.strerror or str(exc)})
            return
        if got is None:
            return
        try:
            found[node] = got[1].decode("utf-8")
        except UnicodeDecodeError:
            not_read.append({"path": node, "reason": "not UTF-8 text"})

    def read_dir(node):
        try:
            names = root.listdir(node)
        except Refused as exc:
            return refused(node, exc)
        except OSError:
            return
        names = [n for n in names or [] if n.endswith(".conf")]
        if len(names) > MAX_DROP_INS:
            not_read.append({"path": node, "reason": f"more than {MAX_DROP_INS} drop-ins"})
            return
        for name in names:
            read(f"{node}/{name}")

    try:
        own = FILES if module.params["kubelet"] else ()
        for unit_dir in UNIT_DIRS if module.params["kubelet"] else ():
            read(unit_dir + "/kubelet.service")
            read_dir(unit_dir + "/kubelet.service.d")
        for node in own + tuple(_node_path(p) for p in module.params["files"]):
            read(node)
        for node in module.params["dirs"]:
            read_dir(_node_path(node))
    finally:
        root.close()
    module.exit_json(changed=False, files=found, not_read=not_read)


if __name__ == "__main__":
    main()
