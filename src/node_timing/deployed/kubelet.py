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
from dataclasses import dataclass, field
from typing import Any, Literal

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
    assignment,
    checked_source,
    default_source,
    documents,
    env_file,
    flag_values,
    flush,
    is_zero,
    node_path,
    quoted_words,
    split_words,
)
from node_timing.findings import Location
from node_timing.inventory.model import LoadProblem
from node_timing.knowledge import KubeVersion

Layout = Literal["kubespray", "kubeadm", "systemd", "none"]

UPDATE = "kubelet.node_status_update_frequency"
REPORT = "kubelet.node_status_report_frequency"
LEASE = "kubelet.node_lease_duration_seconds"

# systemd's unit search path, highest priority first (systemd.unit(5)).
UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)
UNIT = "kubelet.service"
KUBESPRAY_ENV = "/etc/kubernetes/kubelet.env"
KUBESPRAY_CONFIG = "/etc/kubernetes/kubelet-config.yaml"
KUBEADM_DROP_IN = "10-kubeadm.conf"
KUBEADM_FLAGS = "/var/lib/kubelet/kubeadm-flags.env"
KUBEADM_CONFIG = "/var/lib/kubelet/config.yaml"
# The packages' drop-in reads one of these for KUBELET_EXTRA_ARGS (deb, rpm); both optional.
EXTRA_ARGS_FILES = ("/etc/default/kubelet", "/etc/sysconfig/kubelet")
# kubeadm's 10-kubeadm.conf ExecStart (kubernetes/release, cmd/krel/templates/.../10-kubeadm.conf)
KUBEADM_EXEC = (
    "$KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS"
)
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


@dataclass
class _Unit:
    """What systemd would run: the environment and the ExecStart words."""

    layout: Layout = "none"
    environment: dict[str, list[Word]] = field(default_factory=dict)
    env_files: list[tuple[str, bool]] = field(default_factory=list)  # (node path, optional)
    exec_words: list[Word] = field(default_factory=list)
    exec_seen: bool = False


def _read(files: NodeFiles, version: KubeVersion) -> KubeletState:
    unit = _unit(files)
    env: dict[str, list[Word]] = dict(unit.environment)
    for path, optional in unit.env_files:
        if optional and not files.exists(path):
            continue
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
    words = _expand(unit.exec_words, env)
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
    update_in_config: Source | None = None
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
                if src.setting == UPDATE:
                    update_in_config = src
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
    return _state(
        files, unit.layout, sources, version, base, update_in_config, config_shown, dir_shown
    )


def _state(
    files: NodeFiles,
    layout: Layout,
    found: dict[str, list[Source]],
    version: KubeVersion,
    base: Location,
    update_in_config: Source | None,
    config_shown: str | None,
    dir_shown: str | None,
) -> KubeletState:
    """Defaults first, then what the files set; the running value of each setting."""
    from node_timing.settings import parse_value

    paths = [*config_fields().values(), *environment_variables().values()]
    sources: dict[str, tuple[Source, ...]] = {}
    settings: dict[str, Any] = {}
    for path in paths:
        default = parse_value(path, knowledge.default_for(path, version))
        chain = [default_source(path, default, base), *found.get(path, [])]
        usable = [s for s in chain if s.usable]
        settings[path] = usable[-1].value if chain[-1].usable else default
        sources[path] = tuple(chain)
    if len(sources[REPORT]) == 1 and update_in_config is not None and update_in_config.usable:
        # The kubelet's defaulting: an unset report frequency takes the --config file's update
        # frequency (pkg/kubelet/apis/config/v1beta1/defaults.go). Drop-ins and flags apply after.
        inherited = update_in_config.value
        if settings[UPDATE] == inherited:
            settings[REPORT] = None
        else:
            settings[REPORT] = inherited
        sources[REPORT] = (
            Source(
                REPORT,
                update_in_config.kind,
                update_in_config.name,
                update_in_config.raw,
                update_in_config.location,
                update_in_config.noqa,
                value=inherited,
            ),
        )
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


def _at(files: NodeFiles, word: Word) -> Location:
    """Where ``word`` was written (the node root for a word of an assumed stock unit)."""
    return Location(getattr(word, "path", "") or files.root, word.line, word.column)


# ---------------------------------------------------------------------------------------------
# systemd


@dataclass(frozen=True)
class _PathWord(Word):
    """A word that knows the file it was read from (a unit file or an environment file)."""

    path: str = ""


def _unit(files: NodeFiles) -> _Unit:
    """The kubelet's unit and drop-ins as systemd merges them; the stock layout when absent."""
    unit = _Unit()
    main = next((f"{d}/{UNIT}" for d in UNIT_DIRS if files.exists(f"{d}/{UNIT}")), None)
    drop_ins: dict[str, str] = {}
    for directory in reversed(UNIT_DIRS):  # a higher-priority directory replaces a same name
        d = f"{directory}/{UNIT}.d"
        if files.exists(d):
            for name in files.listdir(d):
                if name.endswith(".conf"):
                    drop_ins[name] = f"{d}/{name}"
    for path in [*([main] if main else []), *(drop_ins[n] for n in sorted(drop_ins))]:
        text = files.text(path)
        if text is not None:
            _apply_unit(unit, files.shown(path), text)
        if path.endswith("/" + KUBEADM_DROP_IN):
            unit.layout = "kubeadm"
    if unit.exec_seen or unit.env_files:
        if unit.layout == "none":
            unit.layout = "systemd"
        return unit
    # No unit file collected: the layout's stock unit, recognised by its environment file.
    if files.exists(KUBESPRAY_ENV):
        unit.layout = "kubespray"
        unit.env_files.append((KUBESPRAY_ENV, False))
        text = files.text(KUBESPRAY_ENV) or ""
        # kubespray's kubelet.service passes every variable of kubelet.env (but PATH) to kubelet
        names = [n for n in env_file(text) if n != "PATH"]
        unit.exec_words = [Word("$" + n, 0, 0) for n in names]
    elif files.exists(KUBEADM_FLAGS) or files.exists(KUBEADM_CONFIG):
        unit.layout = "kubeadm"
        unit.environment["KUBELET_CONFIG_ARGS"] = [Word(f"--config={KUBEADM_CONFIG}", 0, 0)]
        unit.env_files += [(KUBEADM_FLAGS, True), *((p, True) for p in EXTRA_ARGS_FILES)]
        unit.exec_words = split_words(KUBEADM_EXEC, 0, 0)
    return unit


def _logical_lines(text: str) -> list[list[tuple[int, int, str]]]:
    """A unit file's lines with backslash continuations joined: each logical line is its pieces
    ``(line number, column of the piece's first character, text)``."""
    out: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.rstrip()
        if not current and (not stripped.strip() or stripped.lstrip()[0] in "#;"):
            continue
        if current and stripped.lstrip()[:1] in ("#", ";"):
            continue  # systemd skips comment lines inside a continuation
        cont = stripped.endswith("\\")
        piece = stripped[:-1] if cont else stripped
        current.append((number, 1, piece))
        if not cont:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _apply_unit(unit: _Unit, shown: str, text: str) -> None:
    from node_timing.inventory.yamlpos import parse_noqa

    for pieces in _logical_lines(text):
        first = pieces[0][2]
        key, eq, rest = first.partition("=")
        key = key.strip()
        if not eq or key not in ("Environment", "EnvironmentFile", "ExecStart"):
            continue
        col = first.index("=") + 2
        noqa = parse_noqa(first)
        words: list[Word] = []
        for i, (line, column, piece) in enumerate(pieces):
            body, start = (rest, col) if i == 0 else (piece, column)
            words += [
                _PathWord(w.text, w.line, w.column, w.noqa, shown)
                for w in quoted_words(body, line, start, noqa if i == 0 else parse_noqa(piece))
            ]
        if key == "Environment":
            for w in words:
                found = assignment(w)
                if found is not None:
                    name, value = found
                    unit.environment[name] = [
                        _PathWord(value.text, value.line, value.column, value.noqa, shown)
                    ]
        elif key == "EnvironmentFile":
            if not words:
                unit.env_files.clear()  # an empty assignment resets the list
            for w in words:
                optional = w.text.startswith("-")
                unit.env_files.append((node_path(w.text.lstrip("-")), optional))
        else:  # ExecStart: an empty one resets, the last one runs
            unit.exec_seen = unit.exec_seen or bool(words)
            # the binary (with systemd's -@:+! prefixes) is no flag
            unit.exec_words = words[1:] if words else []


def _whole(pieces: list[Word]) -> Word:
    """A variable's value as one word (``${VAR}``), at its first piece's position."""
    first = pieces[0]
    return _PathWord(
        "".join(p.text for p in pieces), first.line, first.column, first.noqa, _path_of(first)
    )


def _path_of(word: Word) -> str:
    return str(getattr(word, "path", ""))


def _expand(words: list[Word], env: Mapping[str, list[Word]]) -> list[Word]:
    """ExecStart words with ``$VAR`` split at whitespace and ``${VAR}`` kept whole (systemd),
    each expanded word placed where the environment file wrote it."""
    out: list[Word] = []
    for w in words:
        name = w.text[1:] if w.text.startswith("$") else None
        whole = False
        if name and name.startswith("{") and name.endswith("}"):
            name, whole = name[1:-1], True
        if name is None or not name.replace("_", "").isalnum():
            out.append(w)
            continue
        pieces = env.get(name)
        if not pieces:
            continue  # an unset variable expands to nothing
        if whole:
            out.append(_whole(pieces))
            continue
        for piece in pieces:
            path = _path_of(piece)
            out += [
                _PathWord(w.text, w.line, w.column, w.noqa, path)
                for w in split_words(piece.text, piece.line, piece.column, piece.noqa)
            ]
    return out


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
            else _shown(value_node)
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


def _shown(node: yaml.Node) -> Any:
    """A collection where a scalar belongs: shown as what it is (the type check reports it)."""
    return {} if isinstance(node, yaml.MappingNode) else []
