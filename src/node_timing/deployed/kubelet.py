"""The kubelet's effective timing on a node, from the node's own files.

Given a node root (a directory standing for the node's ``/``), find how systemd starts the kubelet
and read what it reads:

- **kubespray**: ``/etc/systemd/system/kubelet.service`` runs ``kubelet $KUBELET_ARGS ...`` with
  ``EnvironmentFile=/etc/kubernetes/kubelet.env``; ``KUBELET_ARGS`` holds
  ``--config=/etc/kubernetes/kubelet-config.yaml``.
- **kubeadm**: the packages' drop-in ``kubelet.service.d/10-kubeadm.conf`` (under
  ``/usr/lib/systemd/system`` or ``/etc/systemd/system``) runs ``kubelet $KUBELET_KUBECONFIG_ARGS
  $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS`` with
  ``--config=/var/lib/kubelet/config.yaml``, ``/var/lib/kubelet/kubeadm-flags.env`` and
  ``/etc/default/kubelet`` or ``/etc/sysconfig/kubelet``.

When the unit files are not there (a collection that fetched only the kubelet's own files), the
layout is recognised by ``kubelet.env`` or ``kubeadm-flags.env`` / ``config.yaml`` and its stock
unit is assumed. Precedence is the kubelet's: flags > ``--config-dir`` drop-ins (in name order) >
the ``--config`` file > defaults. A zero or empty value counts as unset (the kubelet's defaulting),
so kubeadm's ``nodeStatusUpdateFrequency: 0s`` means 10s. The report frequency inherits the update
frequency only when the ``--config`` file sets the update frequency and nothing sets the report
frequency: drop-ins and flags apply after defaulting.

Nothing is executed; files are read through the linter's bounded reader, confined to the root.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from node_timing import knowledge
from node_timing.deployed._files import (
    CONFIG_FILE,
    DROP_IN,
    ENVIRONMENT,
    FLAG,
    Document,
    NodeFiles,
    Source,
    Word,
    checked_source,
    documents,
    env_file,
    flag_values,
    flush,
    is_zero,
    node_path,
    resolve,
)
from node_timing.deployed.reading import KUBELET_ENVIRONMENT
from node_timing.deployed.systemd import (
    KUBEADM_CONFIG,
    KUBEADM_FLAGS,
    KUBESPRAY_CONFIG,
    KUBESPRAY_ENV,
    MAX_COMMAND_CHARS,
    MAX_COMMAND_WORDS,
    CommandTooLong,
    Layout,
    _expand,
    _PathWord,
    _unit,
    _whole,
)
from node_timing.findings import Location
from node_timing.inventory.model import LoadProblem, Value
from node_timing.knowledge import KubeVersion

UPDATE = "kubelet.node_status_update_frequency"
REPORT = "kubelet.node_status_report_frequency"
LEASE = "kubelet.node_lease_duration_seconds"
CONFIG_KIND = "KubeletConfiguration"
# Drop-ins the kubelet reads from --config-dir: files ending in .conf, in name order.
DROP_IN_SUFFIX = ".conf"
MAX_DROP_INS = 256


def config_fields() -> dict[str, str]:
    """``{KubeletConfiguration field: setting path}`` of the kubelet's timing fields."""
    return {
        fact["upstream_name"]: path
        for path, fact in knowledge.setting_facts().items()
        if fact["component"] == "kubelet" and not fact.get("environment")
    }


def environment_variables() -> dict[str, str]:
    """``{environment variable: setting path}`` (client-go's HTTP/2 health check)."""
    return {
        fact["upstream_name"]: path
        for path, fact in knowledge.setting_facts().items()
        if fact["component"] == "kubelet" and fact.get("environment")
    }


# The only timing field the kubelet still takes as a flag (deprecated in favour of --config);
# nodeStatusReportFrequency and nodeLeaseDurationSeconds have no flag.
KUBELET_FLAGS = {"node-status-update-frequency": UPDATE}


@dataclass(frozen=True)
class KubeletState:
    """The kubelet's timing on one node and where each value comes from.

    ``sources[path]`` lists every place that sets ``path``, lowest precedence first (the default
    first); the last one is what runs. ``settings`` holds the parsed running values (durations in
    ns); ``settings[REPORT]`` is None when the report frequency inherits the update frequency.
    """

    root: str
    layout: Layout
    sources: Mapping[str, tuple[Source, ...]]
    settings: Mapping[str, Any]
    files: tuple[str, ...]
    problems: tuple[LoadProblem, ...]
    config: str | None = None  # shown path of the --config file
    config_dir: str | None = None  # shown path of the --config-dir directory
    # DISABLE_HTTP2 and the like, as deployed.reading.KUBELET_ENVIRONMENT
    environment: Mapping[str, Value] = field(default_factory=dict)

    @property
    def effective(self) -> dict[str, Source]:
        """``{setting path: the source that wins}``."""
        return {path: found[-1] for path, found in self.sources.items()}

    @property
    def report_inherits(self) -> bool:
        return self.settings.get(REPORT, 0) is None

    @property
    def found(self) -> bool:
        """True when any kubelet file was found under the root."""
        return self.layout != "none"


def read_kubelet(root: str, version: KubeVersion | None = None) -> KubeletState:
    """The kubelet's effective timing under the node root ``root``.

    ``version`` decides the defaults and whether ``--config-dir`` is read (not before 1.28; in
    1.28 and 1.29 only with ``KUBELET_CONFIG_DROPIN_DIR_ALPHA`` set); default: the newest known.
    Never raises on the files' content: problems are returned in ``problems``.
    """
    files = NodeFiles(root)
    return _read(files, version or knowledge.default_kube_version())


def read_kubelet_files(files: NodeFiles, version: KubeVersion) -> KubeletState:
    """:func:`read_kubelet` sharing ``files`` (and its problems) with other readers of the node."""
    return _read(files, version)


def _read(files: NodeFiles, version: KubeVersion) -> KubeletState:
    unit = _unit(files)
    env: dict[str, list[Word]] = dict(unit.environment)
    # A file named again overrides all it set before: only its last mention counts, and each
    # file is read and parsed once however often the unit names it.
    last = {path: i for i, (path, _optional) in enumerate(unit.env_files)}
    for i, (path, optional) in enumerate(unit.env_files):
        if optional and not files.exists(path):
            continue
        if last[path] == i:
            text = files.text(path)
            if text is not None:
                shown = files.shown(path)
                env.update(
                    (name, [_PathWord(w.text, w.line, w.column, w.noqa, shown) for w in pieces])
                    for name, pieces in env_file(text).items()
                )
        if path == KUBESPRAY_ENV:
            unit.layout = "kubespray"
        elif path == KUBEADM_FLAGS and unit.layout != "kubespray":
            unit.layout = "kubeadm"
    try:
        words = [] if unit.too_long else _expand(unit.exec_words, env)
    except CommandTooLong:
        words = []
        unit.too_long = unit.exec_path or files.root
    if unit.too_long:
        files.problems.append(
            LoadProblem(
                unit.too_long,
                0,
                0,
                f"not checked: the kubelet's command line passes {MAX_COMMAND_WORDS:,} words or "
                f"{MAX_COMMAND_CHARS >> 20} MiB (the kernel's argument limit)",
            )
        )
    flags = _flags(words)
    config_path = flags.get("config")
    if config_path is None and not unit.exec_seen:
        # No unit and no env file: a collection of the kubelet's config file only.
        candidates: tuple[tuple[str, Layout], ...] = (
            (KUBESPRAY_CONFIG, "kubespray"),
            (KUBEADM_CONFIG, "kubeadm"),
        )
        for candidate, layout in candidates:
            if files.exists(candidate):
                config_path = Word(candidate, 0, 0)
                if unit.layout == "none":
                    unit.layout = layout
                break
    base = Location(files.root)
    sources: dict[str, list[Source]] = {}
    config_shown: str | None = None
    if config_path is not None and config_path.text:
        path = node_path(config_path.text)
        config_shown = files.shown(path)
        base = Location(config_shown)
        if not files.exists(path):
            files.problems.append(
                LoadProblem(
                    config_shown,
                    0,
                    0,
                    "not found: the kubelet's --config file (the kubelet will not start)",
                )
            )
        else:
            for src in _config_sources(files, path, CONFIG_FILE):
                sources.setdefault(src.setting, []).append(src)
    dir_shown: str | None = None
    config_dir = flags.get("config-dir")
    if config_dir is not None and config_dir.text:
        dir_shown = files.shown(node_path(config_dir.text))
        if _drop_ins_read(version, env, files, dir_shown, config_dir):
            directory = node_path(config_dir.text)
            names = [n for n in files.listdir(directory) if n.endswith(DROP_IN_SUFFIX)]
            if len(names) > MAX_DROP_INS:
                files.problems.append(
                    LoadProblem(dir_shown, 0, 0, f"not checked: more than {MAX_DROP_INS} drop-ins")
                )
                names = []
            for name in names:
                for src in _config_sources(files, f"{directory}/{name}", DROP_IN):
                    sources.setdefault(src.setting, []).append(src)
    for setting, name, word in _kubelet_flag_values(words):
        sources.setdefault(setting, []).append(
            checked_source(setting, FLAG, f"--{name}", word.text, _at(files, word), word.noqa)
        )
    for variable, setting in environment_variables().items():
        if env.get(variable):
            word = _whole(env[variable])
            sources.setdefault(setting, []).append(
                checked_source(
                    setting, ENVIRONMENT, variable, word.text, _at(files, word), word.noqa
                )
            )
    state = _state(files, unit.layout, sources, version, base, config_shown, dir_shown)
    environment: dict[str, Value] = {}
    for name in KUBELET_ENVIRONMENT:
        if env.get(name):
            word = _whole(env[name])
            at = _at(files, word)
            if word.text:
                environment[name] = Value(word.text, at.path, at.line, at.column)
    return replace(state, environment=environment) if environment else state


def _state(
    files: NodeFiles,
    layout: Layout,
    found: dict[str, list[Source]],
    version: KubeVersion,
    base: Location,
    config_shown: str | None,
    dir_shown: str | None,
) -> KubeletState:
    sources, settings = kubelet_values(found, version, base)
    return KubeletState(
        root=files.root,
        layout=layout,
        sources=sources,
        settings=settings,
        files=tuple(files.read_files),
        problems=tuple(files.problems),
        config=config_shown,
        config_dir=dir_shown,
    )


def kubelet_values(
    found: Mapping[str, list[Source]], version: KubeVersion, base: Location
) -> tuple[dict[str, tuple[Source, ...]], dict[str, Any]]:
    """The kubelet's sources and running values from what its files set (``found``: per setting,
    lowest precedence first; ``CONFIG_FILE`` sources are the ``--config`` file's).

    The kubelet's defaulting runs on the ``--config`` file only: an unset report frequency takes
    that file's update frequency (pkg/kubelet/apis/config/v1beta1/defaults.go); drop-ins and
    flags apply after it. ``settings[REPORT]`` is None when it inherits the running update
    frequency, the inherited value when a drop-in or flag changed the update frequency since.
    """
    paths = [*config_fields().values(), *environment_variables().values()]
    sources, settings = resolve(paths, found, version, base)
    in_config = [s for s in found.get(UPDATE, []) if s.kind == CONFIG_FILE]
    if len(sources[REPORT]) == 1 and in_config and in_config[-1].usable:
        origin = in_config[-1]
        settings[REPORT] = None if settings[UPDATE] == origin.value else origin.value
        sources[REPORT] = (
            Source(
                REPORT,
                origin.kind,
                origin.name,
                origin.raw,
                origin.location,
                origin.noqa,
                value=origin.value,
            ),
        )
    return sources, settings


def _at(files: NodeFiles, word: Word) -> Location:
    """Where ``word`` was written (the node root for a word of an assumed stock unit)."""
    return Location(getattr(word, "path", "") or files.root, word.line, word.column)


def _flags(words: list[Word]) -> dict[str, Word]:
    """The last value of the path flags the reader follows (``--config``, ``--config-dir``)."""
    found: dict[str, Word] = {}
    for _, name, word in flag_values(words, {"config": "config", "config-dir": "config-dir"}):
        found[name] = word
    return found


def _kubelet_flag_values(words: list[Word]) -> list[tuple[str, str, Word]]:
    return list(flag_values(words, KUBELET_FLAGS))


def _drop_ins_read(
    version: KubeVersion, env: Mapping[str, list[Word]], files: NodeFiles, shown: str, flag: Word
) -> bool:
    """Whether the kubelet of ``version`` reads ``--config-dir`` (data/kubernetes.yml)."""
    fact = knowledge.kubelet_config_dir(version)
    status = fact["status"]
    if status == "none":
        files.problems.append(
            LoadProblem(
                getattr(flag, "path", shown),
                flag.line,
                flag.column,
                f"--config-dir is not a flag of the Kubernetes {version.minor_text} kubelet: it will not start",
            )
        )
        return False
    if status == "alpha":
        gate = env.get(fact["env"])
        if not gate or _whole(gate).text.strip().lower() != "true":
            files.problems.append(
                LoadProblem(
                    getattr(flag, "path", shown),
                    flag.line,
                    flag.column,
                    f"--config-dir is alpha in Kubernetes {version.minor_text}: the kubelet ignores it "
                    f"without {fact['env']}=true in its environment; its drop-ins are not applied",
                    severity="warning",
                )
            )
            return False
    return True


# ---------------------------------------------------------------------------------------------
# KubeletConfiguration files


def _config_sources(files: NodeFiles, path: str, kind: str) -> list[Source]:
    """The timing fields a KubeletConfiguration file sets (zero values count as unset)."""
    shown = files.shown(path)
    text = files.text(path)
    if text is None:
        return []
    docs = documents(shown, text, files.problems)
    configs = [d for d in docs if _kind(d) == CONFIG_KIND]
    if len(docs) != 1 or not configs:
        what = "a drop-in of --config-dir" if kind == DROP_IN else "the kubelet's --config file"
        files.problems.append(
            LoadProblem(
                shown,
                1 if text.strip() else 0,
                1 if text.strip() else 0,
                f"{what} must hold one KubeletConfiguration document (kind: {CONFIG_KIND}); "
                "the kubelet will not start with it",
            )
        )
        return []
    return config_document_sources(configs[0], kind, files.problems)


def _kind(document: Document) -> Any:
    fields = document.mapping(document.doc.root)
    if "kind" not in fields:
        return None
    return document.value(fields["kind"][1])


def config_document_sources(
    document: Document, kind: str, problems: list[LoadProblem]
) -> list[Source]:
    """Sources for the timing fields of one KubeletConfiguration document (a kubelet config
    file, a drop-in, or the KubeletConfiguration of a kubeadm configuration)."""
    out: list[Source] = []
    fields = document.mapping(document.doc.root)
    for name, setting in config_fields().items():
        if name not in fields:
            continue
        key_node, value_node = fields[name]
        raw = (
            document.value(value_node)
            if isinstance(value_node, yaml.ScalarNode)
            else _shown(document, value_node)
        )
        if is_zero(raw):
            continue
        out.append(
            checked_source(
                setting,
                kind,
                name,
                raw,
                document.location(value_node),
                document.noqa(key_node) | document.noqa(value_node),
                typed=True,
            )
        )
    flush(document, problems)
    return out


def _shown(document: Document, node: yaml.Node) -> Any:
    """A collection where a scalar belongs: its value, so the type check names what it is (a
    ``!!set`` is a set, not an empty mapping)."""
    try:
        return document.doc.construct(node)
    except (yaml.YAMLError, ValueError, TypeError):
        return {} if isinstance(node, yaml.MappingNode) else []
