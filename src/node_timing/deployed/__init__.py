"""What is deployed: timing settings read from a node's own files.

One module per file kind: ``kubelet`` (systemd unit, environment files, ``--config`` file and
``--config-dir`` drop-ins). Each reader returns the same records the linter's rules read
(``Source``: setting, value, file, line, column), so a deployed node is checked by the same rules
as an inventory host.
"""

from node_timing.deployed.kubelet import KubeletState, read_kubelet

__all__ = ["KubeletState", "read_kubelet"]
