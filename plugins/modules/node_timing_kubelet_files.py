"""Read the kubelet's own files on a node, in one module run (a stat and a slurp per file cost a
module run each, a second or more apiece)."""

# Runs on the node, whose Python may be 3.6 (EL 8's platform Python): no newer syntax here.
import os
import stat

from ansible.module_utils.basic import AnsibleModule

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
  - Only regular files of at most 1 MiB are read; others are listed under C(skipped) with the reason.
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
skipped:
  description: Files that exist but were not read, with the reason.
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
        },
        supports_check_mode=True,
    )
    root = module.params["root"]
    found = {}
    skipped = []

    def under(node):
        return os.path.join(root, node.lstrip("/"))

    seen = set()

    def read(node):
        # a path given in files or dirs that the module reads anyway is read once
        if node in seen:
            return
        seen.add(node)
        path = under(node)
        try:
            info = os.stat(path)
        except OSError:
            return
        if not stat.S_ISREG(info.st_mode):
            skipped.append({"path": node, "reason": "not a regular file"})
            return
        if info.st_size > MAX_BYTES:
            skipped.append({"path": node, "reason": "larger than 1 MiB"})
            return
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            skipped.append({"path": node, "reason": exc.strerror or str(exc)})
            return
        try:
            found[node] = data.decode("utf-8")
        except UnicodeDecodeError:
            skipped.append({"path": node, "reason": "not UTF-8 text"})

    def read_dir(node):
        try:
            names = sorted(n for n in os.listdir(under(node)) if n.endswith(".conf"))
        except OSError:
            return
        if len(names) > MAX_DROP_INS:
            skipped.append({"path": node, "reason": f"more than {MAX_DROP_INS} drop-ins"})
            return
        for name in names:
            read(f"{node}/{name}")

    for unit_dir in UNIT_DIRS:
        read(f"{unit_dir}/kubelet.service")
        read_dir(f"{unit_dir}/kubelet.service.d")
    for node in (*FILES, *(_node_path(p) for p in module.params["files"])):
        read(node)
    for node in module.params["dirs"]:
        read_dir(_node_path(node))
    module.exit_json(changed=False, files=found, skipped=skipped)


if __name__ == "__main__":
    main()
