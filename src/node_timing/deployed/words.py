"""What a finding on a node's own files calls a setting: the field of the file the user edits
(``controllerManager.extraArgs`` ``node-monitor-grace-period`` in a kubeadm configuration,
``--node-monitor-grace-period`` in a static Pod, ``nodeStatusReportFrequency`` of the
``KubeletConfiguration``), not the kubespray variable that would render it, and upstream's word
for how many heartbeats a grace period holds, not kubespray's guide.

The rules speak kubespray (an inventory is their first input); ``lint FILE...`` hands their
messages through :func:`in_file_terms`. Every name comes from the data files: kubespray's
variables and extra-args keys (``data/kubespray.yml``) and each setting's upstream name and
component (``data/kubernetes.yml``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from node_timing import knowledge

Speech = Literal["kubeadm", "manifest"]

_SECTION = {"controller_manager": "controllerManager", "apiserver": "apiServer"}

# The one sentence that cites kubespray for a number: upstream's flag help asks for "N times"
# the update frequency and gives no N (data/kubernetes.yml, thresholds: the 5 is a choice).
_GUIDE = re.compile(
    r"kubespray's reliability guide asks for (\d+(?:\.\d+)?) \(Kubernetes gives no number\)"
)
_UPSTREAM = (
    r"node-timing asks for \1 (kube-controller-manager's --node-monitor-grace-period help asks "
    "for N times the kubelet's nodeStatusUpdateFrequency and gives no N)"
)


def _field(path: str, speech: Speech) -> str | None:
    fact = knowledge.kubernetes()["settings"].get(path)
    if fact is None:
        return None
    name, component = fact["upstream_name"], fact["component"]
    if component == "kubelet":
        return name if fact.get("environment") else f"KubeletConfiguration {name}"
    if speech == "manifest":
        return f"--{name}" if component == "controller_manager" else f"kube-apiserver's --{name}"
    return f"{_SECTION[component]}.extraArgs {name}"


@cache
def _terms(speech: Speech) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(kubespray name as a whole word, the file's name for it), longest names first."""
    ks = knowledge.kubespray()
    pairs: dict[str, str] = {}
    for dict_name, fact in ks["extra_args"].items():
        for key, path in fact["keys"].items():
            field = _field(path, speech)
            if field is not None:
                pairs[f"{dict_name}.{key}"] = field
    for variable, fact in ks["variables"].items():
        field = _field(str(fact.get("setting", "")), speech)
        if field is not None:
            pairs[variable] = field
    ordered = sorted(pairs.items(), key=lambda p: -len(p[0]))
    return tuple(
        (re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])"), field)
        for name, field in ordered
    )


def in_file_terms(message: str, speech: Speech) -> str:
    """``message`` with each kubespray name replaced by the field the file's user edits."""
    for pattern, field in _terms(speech):
        if pattern.search(message):
            message = pattern.sub(field, message)
    return _GUIDE.sub(_UPSTREAM, message)


__all__ = ["Speech", "in_file_terms"]
