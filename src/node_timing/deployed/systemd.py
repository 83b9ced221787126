"""How systemd starts the kubelet: its unit, drop-ins and environment files, read from a node root.

systemd's rules as far as they matter for the kubelet's flags: the unit from the highest-priority
directory, ``kubelet.service.d/*.conf`` drop-ins in name order (a name in a higher-priority
directory replaces the same name below), ``Environment=`` then ``EnvironmentFile=`` (the files
override), the last non-empty ``ExecStart=``, ``$VAR`` split at whitespace and ``${VAR}`` kept
whole, backslash continuations. Nothing is run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from node_timing.deployed._files import (
    NodeFiles,
    Word,
    assignment,
    env_file,
    node_path,
    quoted_words,
    split_words,
)

Layout = Literal["kubespray", "kubeadm", "systemd", "none"]


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


@dataclass
class _Unit:
    """What systemd would run: the environment and the ExecStart words."""

    layout: Layout = "none"
    environment: dict[str, list[Word]] = field(default_factory=dict)
    env_files: list[tuple[str, bool]] = field(default_factory=list)  # (node path, optional)
    exec_words: list[Word] = field(default_factory=list)
    exec_seen: bool = False
    exec_path: str = ""  # the file the ExecStart that runs was read from
    too_long: str | None = None  # the file whose command line passed the bounds below


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
        unit.exec_path = files.shown(KUBESPRAY_ENV)
    elif files.exists(KUBEADM_FLAGS) or files.exists(KUBEADM_CONFIG):
        unit.layout = "kubeadm"
        unit.environment["KUBELET_CONFIG_ARGS"] = [Word(f"--config={KUBEADM_CONFIG}", 0, 0)]
        unit.env_files += [(KUBEADM_FLAGS, True), *((p, True) for p in EXTRA_ARGS_FILES)]
        unit.exec_words = split_words(KUBEADM_EXEC, 0, 0)
        unit.exec_path = files.shown(KUBEADM_FLAGS)
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
                for w in quoted_words(
                    body,
                    line,
                    start,
                    noqa if i == 0 else parse_noqa(piece),
                    limit=MAX_COMMAND_WORDS - len(words) + 1,
                )
            ]
            if len(words) > MAX_COMMAND_WORDS:
                break
        if key == "ExecStart" and len(words) > MAX_COMMAND_WORDS:
            unit.too_long, words = shown, []
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
            unit.exec_path = shown
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


# The kernel refuses to start a program whose arguments and environment pass ARG_MAX (a quarter
# of the 8 MiB default stack: 2 MiB, execve(2)); a kubelet command line is a few dozen words.
# Past either bound the command line is not checked: the expansion stops there, so a unit that
# names a long variable many times costs its own size, not the product of the two.
MAX_COMMAND_CHARS = 2 << 20
MAX_COMMAND_WORDS = 10_000


class CommandTooLong(Exception):
    """The expanded command line passed :data:`MAX_COMMAND_CHARS` or :data:`MAX_COMMAND_WORDS`."""


def _expand(words: list[Word], env: Mapping[str, list[Word]]) -> list[Word]:
    """ExecStart words with ``$VAR`` split at whitespace and ``${VAR}`` kept whole (systemd),
    each expanded word placed where the environment file wrote it.

    One pass: each variable is split (or joined) once however often the line names it, and the
    words and characters produced are counted against the bounds above (raises
    :class:`CommandTooLong` past them).
    """
    out: list[Word] = []
    chars = 0
    expansions: dict[str, tuple[list[Word], int]] = {}  # (words, characters with separators)
    for w in words:
        name = w.text[1:] if w.text.startswith("$") else None
        whole = False
        if name and name.startswith("{") and name.endswith("}"):
            name, whole = name[1:-1], True
        if name is None or not name.replace("_", "").isalnum():
            out.append(w)
            chars += len(w.text) + 1
        elif env.get(name):  # an unset variable expands to nothing
            key = ("{" if whole else "$") + name
            if key not in expansions:
                expansions[key] = _expansion(env[name], whole)
            expanded, size = expansions[key]
            out += expanded
            chars += size
        if len(out) > MAX_COMMAND_WORDS or chars > MAX_COMMAND_CHARS:
            raise CommandTooLong
    return out


def _expansion(pieces: list[Word], whole: bool) -> tuple[list[Word], int]:
    """A variable's words (at most one past the bound) and their characters with separators."""
    if whole:
        word = _whole(pieces)
        return [word], len(word.text) + 1
    out: list[Word] = []
    for piece in pieces:
        path = _path_of(piece)
        for m in re.finditer(r"\S+", piece.text):
            out.append(
                _PathWord(m.group(0), piece.line, piece.column + m.start(), piece.noqa, path)
            )
            if len(out) > MAX_COMMAND_WORDS:
                raise CommandTooLong
    return out, sum(len(w.text) + 1 for w in out)
