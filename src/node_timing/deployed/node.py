"""Deployed files as hosts the rules check: ``node-timing lint FILE...`` and ``verify``.

Each deployed host becomes a :class:`HostTiming` whose sources are the files' values (with the
component's flag or field name and file:line:col), so every rule runs unchanged. Files named on
the command line are recognised by content:

- a kubeadm configuration (``apiVersion: kubeadm.k8s.io/...``, any kinds, several documents);
- a kubelet configuration (one ``kind: KubeletConfiguration`` document);
- a kube-controller-manager or kube-apiserver static Pod (``kind: Pod`` running the component);
- a kubelet environment file (``KUBELET_ARGS=``, ``KUBELET_KUBEADM_ARGS=``,
  ``KUBELET_EXTRA_ARGS=``), as kubespray's kubelet.env or kubeadm's kubeadm-flags.env.

Together they are one node (the kubelet's files layered as the kubelet layers them: configuration
files, then flags) or a cluster: static Pods in different directories are different
control-plane hosts, each on top of the kubeadm ClusterConfiguration given.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from node_timing.deployed._evaluation import (
    HostTiming,
    LintContext,
    Options,
    build_version,
    sizing,
)
from node_timing.deployed._files import (
    CONFIG_FILE,
    DROP_IN,
    ENVIRONMENT,
    FLAG,
    Source,
    checked_source,
    documents,
    env_file,
    flag_values,
    read_text,
    resolve,
    split_words,
)
from node_timing.deployed.kubeadm import is_kubeadm, is_kubelet_config, kubeadm_reading
from node_timing.deployed.kubelet import (
    KUBELET_FLAGS,
    config_document_sources,
    environment_variables,
    kubelet_values,
)
from node_timing.deployed.manifests import component_of, manifest_reading
from node_timing.deployed.reading import KUBELET_ENVIRONMENT, Reading
from node_timing.deployed.words import Speech, in_file_terms
from node_timing.findings import Finding, Location
from node_timing.inventory.model import LoadProblem, Value
from node_timing.knowledge import KubeVersion
from node_timing.settings import setting_paths

# The kubelet environment variables whose values are flags (kubespray, kubeadm, the packages).
_ENV_VARIABLES = ("KUBELET_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS")
# What a file's name says it is. An environment file: kubespray's kubelet.env, kubeadm's
# kubeadm-flags.env, the packages' /etc/default/kubelet and /etc/sysconfig/kubelet. A YAML file
# named as kubespray and kubeadm name the kubelet's, kubeadm's and the static Pods' files is a
# deployed file even when it is broken (its finding, not "no inventory"). An inventory suffix is
# never a deployed file, whatever its lines say.
_ENV_NAME = re.compile(r"(?:\.env|^kubelet)$")
_DEPLOYED_NAME = re.compile(
    r"^(?:kubelet|kubeadm|kube-controller-manager|kube-apiserver|config)[^/]*\.(?:ya?ml|json|manifest)$"
)
_INVENTORY_SUFFIXES = (".ini", ".cfg", ".toml")
KIND_NAMES = {
    "kubelet-env": "a kubelet environment file",
    "kubelet-config": "a kubelet configuration",
    "kubeadm": "a kubeadm configuration",
    "manifest": "a static Pod manifest",
}
# Precedence of the kubelet's sources: configuration file, drop-ins, then flags and environment.
_RANK = {CONFIG_FILE: 0, DROP_IN: 1, FLAG: 2, ENVIRONMENT: 2}
NODE = "node"


class NotDeployed(Exception):
    """A file named among deployed files that is none of them."""


def read_deployed(
    path: str, problems: list[LoadProblem], *, several: bool = False
) -> Reading | None:
    """What the file at ``path`` sets; None when it cannot be read (a problem says why).

    Raises :class:`NotDeployed` when the file is no deployed file of a known kind: neither named
    as one nor structured as one. ``several``: the file is one of several deployed files named
    together, so broken YAML is its finding whatever its name.
    """
    if not is_regular(path):
        if not (several or named_deployed(path)):
            raise NotDeployed(path)
        problems.append(LoadProblem(path, 0, 0, "cannot read: not a regular file"))
        return None
    text = read_text(path, problems)
    if text is None:
        return None
    return reading_of(path, text, problems, several=several)


def is_regular(path: str) -> bool:
    """True when ``path`` (a symlink followed) is a regular file: decided on ``stat``, before
    anything opens it (a device or a FIFO is never opened)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def named_deployed(path: str) -> bool:
    """True when the file's name is one kubespray or kubeadm gives a deployed file."""
    name = os.path.basename(path)
    return bool(_ENV_NAME.search(name) or _DEPLOYED_NAME.match(name))


def reading_of(
    path: str, text: str, problems: list[LoadProblem], *, several: bool = False
) -> Reading | None:
    """:func:`read_deployed` on text already read.

    The kind comes from the name and the whole file, never from one line: an environment file
    is named as one or, unnamed, holds nothing but ``NAME=VALUE`` lines (an INI inventory's
    ``[all:vars]`` or a YAML block scalar holding ``KUBELET_ARGS=`` is neither).
    """
    name = os.path.basename(path)
    if name.endswith(_INVENTORY_SUFFIXES):
        raise NotDeployed(path)
    yaml_named = name.endswith((".yaml", ".yml", ".json", ".manifest"))
    if not yaml_named:
        strays: list[int] = []
        variables = env_file(text, strays)
        is_env = not strays and any(v in variables for v in _ENV_VARIABLES)
        if is_env:
            return env_reading(path, text)
        if _ENV_NAME.search(name):
            problems.append(
                LoadProblem(
                    path,
                    strays[0] if strays else 0,
                    1 if strays else 0,
                    "not an environment file: "
                    + (
                        "a line that is no NAME=VALUE"
                        if strays
                        else "no KUBELET_ARGS, KUBELET_KUBEADM_ARGS or KUBELET_EXTRA_ARGS"
                    ),
                )
            )
            return None
    found: list[LoadProblem] = []
    docs = documents(path, text, found)
    if is_kubeadm(docs):
        problems.extend(found)
        return kubeadm_reading(path, docs, problems)
    if is_kubelet_config(docs):
        problems.extend(found)
        sources = config_document_sources(docs[0], CONFIG_FILE, problems)
        return Reading(path, "kubelet-config", tuple(sources), components=frozenset({"kubelet"}))
    if any(component_of(d) for d in docs):
        return manifest_reading(path, text, problems, docs)
    if found and not docs and (several or named_deployed(path)):
        problems.extend(found)  # broken YAML: the linter's finding, not a usage error
        return None
    raise NotDeployed(path)


def classify(path: str) -> tuple[Reading | None, list[LoadProblem]] | None:
    """``(reading, problems)`` when ``path`` is a deployed file (a broken one: no reading and the
    problems), None when it is not (an inventory)."""
    problems: list[LoadProblem] = []
    try:
        reading = read_deployed(path, problems)
    except NotDeployed:
        return None
    if reading is None and not named_deployed(path):
        return None
    return reading, problems


def looks_deployed(path: str) -> bool:
    """True when ``path`` is a regular file that :func:`classify` takes for a deployed file."""
    return is_regular(path) and classify(path) is not None


def env_reading(path: str, text: str) -> Reading:
    """The kubelet flags and environment of an environment file (every variable's words)."""
    variables = env_file(text)
    sources: list[Source] = []
    env_names = environment_variables()
    environment: dict[str, Value] = {}
    for name, pieces in variables.items():
        if name in KUBELET_ENVIRONMENT:
            raw = "".join(p.text for p in pieces)
            if raw:
                environment[name] = Value(raw, path, pieces[0].line, pieces[0].column)
            continue
        if name in env_names:
            first = pieces[0]
            raw = "".join(p.text for p in pieces)
            at = Location(path, first.line, first.column)
            sources.append(checked_source(env_names[name], ENVIRONMENT, name, raw, at, first.noqa))
            continue
        words = [w for p in pieces for w in split_words(p.text, p.line, p.column, p.noqa)]
        for setting, flag, word in flag_values(words, KUBELET_FLAGS):
            at = Location(path, word.line, word.column)
            sources.append(checked_source(setting, FLAG, f"--{flag}", word.text, at, word.noqa))
    return Reading(
        path,
        "kubelet-env",
        tuple(sources),
        components=frozenset({"kubelet"}),
        environment=environment,
    )


@dataclass
class DeployedHost:
    """One host's deployed files and the settings they make it run."""

    name: str
    kubelet: list[Reading] = field(default_factory=list)
    control_plane: list[Reading] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


@dataclass
class DeployedContext(LintContext):
    """The linter's context for deployed files: a default is Kubernetes', not kubespray's.

    ``drift`` holds the ``deployed-drift`` findings of ``verify`` (the rule yields them).
    """

    drift: list[Finding] = field(default_factory=list)
    # `lint FILE...`: the messages name the files' own fields (``words.py``)
    speech: Speech | None = None
    # no file held a kubelet configuration: the kubelets are judged at their defaults
    assumed_kubelets: bool = False
    read_as: list[tuple[str, str]] = field(default_factory=list)  # (file, the kind it was read as)

    def finding(
        self,
        rule: str,
        message: str,
        at: Source | Location,
        hosts: Iterable[str],
        **kwargs: Any,
    ) -> Finding:
        if isinstance(at, Source) and at.from_default:
            kwargs.setdefault("setting", at.setting)
            kwargs["noqa"] = kwargs.get("noqa", frozenset()) | at.noqa
            message = f"{message} ({at.name} is the Kubernetes default: no file sets it)"
            at = at.location
        if self.speech is not None:
            message = in_file_terms(message, self.speech)
        return super().finding(rule, message, at, hosts, **kwargs)


def host_timing(
    hosts: list[str],
    version: KubeVersion,
    kubelet: Mapping[str, list[Source]],
    control_plane: Mapping[str, list[Source]],
    variables: Mapping[str, Any],
    base: Location,
) -> HostTiming:
    """A HostTiming from deployed sources (per setting, lowest precedence first)."""
    k_sources, k_values = kubelet_values(kubelet, version, base)
    cp_paths = [p for p in setting_paths() if not p.startswith("kubelet.")]
    c_sources, c_values = resolve(cp_paths, control_plane, version, base)
    sources = {**k_sources, **c_sources}
    values = {**k_values, **c_values}
    from node_timing.settings import defaults

    settings = defaults(version).with_values(values)
    return HostTiming(
        hosts=list(hosts),
        version=version,
        settings=settings,
        effective={p: found[-1] for p, found in sources.items()},
        sources={p: list(found) for p, found in sources.items()},
        variables=variables,
        report_inherits=settings.kubelet.node_status_report_frequency is None,
        unresolved=[],
    )


def kubelet_found(readings: Sequence[Reading]) -> dict[str, list[Source]]:
    """The kubelet's sources of ``readings``: configuration files first, then flags."""
    found: dict[str, list[Source]] = {}
    ordered = sorted(
        (s for r in readings for s in r.sources if s.setting.startswith("kubelet.")),
        key=lambda s: _RANK.get(s.kind, 2),
    )
    for src in ordered:
        found.setdefault(src.setting, []).append(src)
    return found


def control_plane_found(readings: Sequence[Reading]) -> dict[str, list[Source]]:
    """The control plane's sources of ``readings`` (kubeadm configurations before manifests)."""
    found: dict[str, list[Source]] = {}
    ordered = sorted(readings, key=lambda r: r.kind == "manifest")
    for reading in ordered:
        for src in reading.sources:
            if not src.setting.startswith("kubelet."):
                found.setdefault(src.setting, []).append(src)
    return found


def flag_variables(readings: Sequence[Reading]) -> dict[str, Value]:
    """The extra-args dicts the variable rules read, the last file's value of each flag winning."""
    merged: dict[
        str, tuple[dict[str, Any], dict[str, tuple[int, int]], dict[str, frozenset[str]], str]
    ] = {}
    for reading in sorted(readings, key=lambda r: r.kind == "manifest"):
        for name, value in reading.flags.items():
            content, positions, noqa, _ = merged.setdefault(name, ({}, {}, {}, value.path))
            if not isinstance(value.value, dict):
                continue
            content.update(value.value)
            positions.update(value.key_positions)
            noqa.update(value.key_noqa)
            merged[name] = (content, positions, noqa, value.path)
    return {
        name: Value(content, path, 0, 0, key_positions=positions, key_noqa=noqa)
        for name, (content, positions, noqa, path) in merged.items()
    }


def kubelet_environment(readings: Sequence[Reading]) -> dict[str, Value]:
    """The kubelet environment variables of ``readings`` the rules read (the last file wins)."""
    out: dict[str, Value] = {}
    for reading in readings:
        out.update(reading.environment)
    return out


def file_version(readings: Iterable[Reading]) -> tuple[KubeVersion, Location] | None:
    """The version the files name: a manifest's image tag first (it runs), then kubeadm's."""
    ranked = sorted(readings, key=lambda r: r.kind != "manifest")
    for reading in ranked:
        if reading.version is not None:
            return reading.version
    return None


def build_deployed_context(
    hosts: Sequence[DeployedHost],
    problems: list[LoadProblem],
    options: Options,
    default_location: Location,
    *,
    extra: Mapping[str, Any] | None = None,
    assume_kubelets: bool = False,
) -> DeployedContext:
    """The context the rules see for ``hosts``; the version from the files, else the options.
    With ``assume_kubelets``, when no file configures a kubelet, the control plane's kubelets
    are judged at the version's defaults (most kubeadm users write no KubeletConfiguration)."""
    every = [r for h in hosts for r in (*h.kubelet, *h.control_plane)]
    named = file_version(every)
    version_vars: dict[str, Any] = {}
    if named is not None:
        version, at = named
        text = f"{version.major}.{version.minor}" + (
            f".{version.patch}" if version.patch is not None else ""
        )
        version_vars["kube_version"] = Value(text, at.path, at.line, at.column)
        options = replace(options, kube_version=None)  # the files' version wins
    version, version_source, version_problem = build_version(
        version_vars, options, default_location
    )
    kubelet_groups: list[HostTiming] = []
    cp_groups: list[HostTiming] = []
    groups: list[HostTiming] = []
    for host in hosts:
        readings = [*host.kubelet, *host.control_plane]
        base = Location(readings[0].path) if readings else default_location
        timing = host_timing(
            [host.name],
            version,
            kubelet_found(host.kubelet),
            control_plane_found(host.control_plane),
            {**flag_variables(host.control_plane), **kubelet_environment(host.kubelet)},
            base,
        )
        groups.append(timing)
        if host.kubelet:
            kubelet_groups.append(timing)
        if host.control_plane:
            cp_groups.append(timing)
    if not groups:
        groups.append(host_timing([], version, {}, {}, {}, default_location))
    assumed = assume_kubelets and not kubelet_groups and bool(cp_groups)
    if assumed:
        kubelet_groups = list(cp_groups)
    nodes, budget = sizing({}, options, len(kubelet_groups) or 1)
    return DeployedContext(
        inventory=None,
        version=version,
        version_source=version_source,
        version_problem=version_problem,
        nodes=nodes,
        heartbeat_budget=budget,
        default_location=default_location,
        kubelet_groups=kubelet_groups,
        control_plane_groups=cp_groups,
        groups=groups,
        cluster=cp_groups[0] if cp_groups else groups[0],
        problems=list(problems),
        thresholds=options.thresholds,
        assumed_kubelets=assumed,
    )


def hosts_of_files(readings: Sequence[Reading], name: str = NODE) -> list[DeployedHost]:
    """Named files as hosts: one node (called ``name``), or one control-plane host per
    manifests directory."""
    kubelet = [r for r in readings if "kubelet" in r.components]
    kubeadm_cp = [r for r in readings if r.kind == "kubeadm" and r.components - {"kubelet"}]
    manifests: dict[str, list[Reading]] = {}
    for r in readings:
        if r.kind == "manifest":
            manifests.setdefault(os.path.dirname(os.path.abspath(r.path)), []).append(r)
    if len(manifests) <= 1:
        cp = kubeadm_cp + next(iter(manifests.values()), [])
        host = DeployedHost(name, kubelet, cp, [r.path for r in readings])
        return [host] if (kubelet or cp) else []
    from node_timing.display import display_path

    out = [DeployedHost(name, kubelet, [], [r.path for r in kubelet])] if kubelet else []
    for directory, found in manifests.items():
        out.append(
            DeployedHost(display_path(directory), [], kubeadm_cp + found, [r.path for r in found])
        )
    return out


def lint_files(
    paths: Sequence[str],
    options: Options,
    first: tuple[Reading | None, list[LoadProblem]] | None = None,
) -> DeployedContext:
    """The rules' context for ``node-timing lint FILE...`` on deployed files (``first``: the
    first path already read by :func:`classify`). ``read_as`` names each file's kind."""
    problems: list[LoadProblem] = []
    readings: list[Reading] = []
    for i, path in enumerate(paths):
        if i == 0 and first is not None:
            reading, found = first
            problems += found
        else:
            reading = read_deployed(path, problems, several=len(paths) > 1)
        if reading is not None:
            readings.append(reading)
    # no inventory names the host: the finding names the file(s) it is about
    hosts = hosts_of_files(readings, "this file" if len(paths) == 1 else "these files")
    ctx = build_deployed_context(hosts, problems, options, Location(paths[0]), assume_kubelets=True)
    ctx.speech = (
        "manifest" if all(r.kind == "manifest" for r in readings) and readings else "kubeadm"
    )
    ctx.read_as = [(r.path, KIND_NAMES[r.kind]) for r in readings]
    return ctx


__all__ = [
    "DeployedContext",
    "DeployedHost",
    "NotDeployed",
    "build_deployed_context",
    "classify",
    "lint_files",
    "read_deployed",
]
