"""Write one of a node's files under the node root without leaving it, keeping its mode, owner and
a backup (ansible.builtin.copy follows a symlink anywhere and, given content, keeps no mode)."""

# Runs on the node, whose Python may be 3.6 (EL 8's platform Python): no newer syntax here.
from ansible.module_utils.basic import AnsibleModule
from ansible_collections.kubetiming.node_timing.plugins.module_utils.node_root import (
    NodeRoot,
    Refused,
)

DOCUMENTATION = r"""
module: node_timing_node_file
short_description: Write a file of a node under its node root, never through a link out of it
version_added: "0.1.0"
author: node-timing contributors
description:
  - Replaces the file O(path) under O(root) with O(content), atomically (a new file in the same
    directory, renamed over the old one), when the content differs.
  - Nothing outside O(root) is read or written. The path is walked a component at a time from
    the root, each directory opened without following a symlink; a symlink on the way is followed
    only while it stays inside O(root), else the module fails and says which link leaves it.
  - An existing file keeps its mode and owner. A new file gets O(mode); missing directories are
    made with mode C(0755).
  - Supports check mode and diff mode.
options:
  root:
    description: The directory that stands for the node's C(/).
    type: path
    default: /
  path:
    description: The file, as a path on the node (absolute, no C(..) component).
    type: str
    required: true
  content:
    description: The file's new text.
    type: str
    required: true
  mode:
    description: Mode of a file that does not exist yet (an existing file keeps its own).
    type: raw
    default: "0644"
  backup:
    description:
      - Keep the old bytes first, beside the file as C(NAME.PID.DATE~), or in O(backup_dir).
    type: bool
    default: false
  backup_dir:
    description:
      - Node path of the directory the backup goes to (made with mode C(0700)) instead of beside
        the file, as C(NAME.DATE). Absolute, no C(..) component.
    type: str
"""

EXAMPLES = r"""
- name: Write the kubelet's configuration file
  kubetiming.node_timing.node_timing_node_file:
    path: /etc/kubernetes/kubelet-config.yaml
    content: "{{ patched }}"
    backup: true
"""

RETURN = r"""
path:
  description: The node path written (symlinks inside the root resolved).
  returned: always
  type: str
backup_file:
  description: The node path of the backup, when one was made.
  returned: changed and backup
  type: str
"""


def main():
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "path", "default": "/"},
            "path": {"type": "str", "required": True},
            "content": {"type": "str", "required": True},
            "mode": {"type": "raw", "default": "0644"},
            "backup": {"type": "bool", "default": False},
            "backup_dir": {"type": "str"},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        mode = int(str(params["mode"]), 8)
    except ValueError:
        module.fail_json(msg="mode must be octal, such as 0644, got {!r}".format(params["mode"]))
    data = params["content"].encode("utf-8")
    try:
        root = NodeRoot(params["root"])
    except OSError as exc:
        module.fail_json(msg="node root {}: {}".format(params["root"], exc.strerror or exc))
    try:
        result = root.write(
            params["path"],
            data,
            mode=mode,
            backup=params["backup"],
            backup_dir=params["backup_dir"],
            check=module.check_mode,
        )
    except Refused as exc:
        module.fail_json(msg="node-timing: {} not written: {}".format(params["path"], exc))
    except OSError as exc:
        module.fail_json(
            msg="node-timing: {} not written: {}".format(params["path"], exc.strerror or exc)
        )
    finally:
        root.close()
    before = result.pop("before")
    out = {"changed": result["changed"], "path": result["path"]}
    if "backup" in result:
        out["backup_file"] = result["backup"]
    if module._diff and result["changed"]:
        out["diff"] = {
            "before_header": result["path"],
            "after_header": result["path"],
            "before": before.decode("utf-8", "replace") if before is not None else "",
            "after": params["content"],
        }
    module.exit_json(**out)


if __name__ == "__main__":
    main()
