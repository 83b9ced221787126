"""``--extra-vars`` / ``-e``: variables given on the command line, read as ansible-playbook reads
them, with the place each was written.

Each argument is one of ansible-playbook's three forms (ansible-core's
``ansible.utils.vars.load_extra_vars``): ``@FILE`` (a YAML or JSON file), inline YAML or JSON
starting with ``{`` or ``[``, or ``key=value`` pairs (values are strings). Later arguments replace
earlier ones key by key. Extra vars win over every inventory variable, host_vars included.

A value from a file keeps its file, line and column; one from the command line is placed at
``--extra-vars`` line 1, at its column in the argument. Any argument ansible-playbook would refuse
is a usage error naming the argument (exit 3).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

from node_timing.display import printable
from node_timing.errors import UsageError
from node_timing.inventory.model import LoadProblem, Value
from node_timing.inventory.read import Reader, decode_text
from node_timing.inventory.root import project_root
from node_timing.inventory.vars_files import vars_from_text
from node_timing.inventory.yamlpos import is_templated

# Where a value written on the command line is said to be.
COMMAND_LINE = "--extra-vars"


def load_extra_vars(arguments: Sequence[str]) -> dict[str, Value]:
    """The variables of every ``-e`` argument in order, later ones replacing earlier keys."""
    merged: dict[str, Value] = {}
    for argument in arguments:
        if not argument:
            continue
        merged.update(_one(argument))
    return merged


def _one(argument: str) -> dict[str, Value]:
    shown = printable(argument)
    if argument.startswith("@"):
        return _from_file(argument[1:])
    if argument[0] in "/.":
        raise UsageError(f"--extra-vars {shown}: a file name must start with @ (@{shown})")
    if argument[0] in "{[":
        return _mapping(COMMAND_LINE, argument, f"--extra-vars {shown}")
    return _key_values(argument)


def _from_file(name: str) -> dict[str, Value]:
    """A ``@FILE`` argument: the file read within its own project's bounds (never a device, a
    FIFO or more than the reader's size limit)."""
    if not name:
        raise UsageError("--extra-vars @: no file named after @")
    path = os.path.abspath(name)
    if not os.path.isfile(path):
        raise UsageError(f"--extra-vars @{printable(name)}: no such file")
    problems: list[LoadProblem] = []
    reader = Reader(project_root(path), problems)
    data = reader.read(path)
    text = decode_text(path, data, problems) if data is not None else None
    if text is None:
        raise UsageError(f"--extra-vars @{printable(name)}: {_first(problems, 'not read')}")
    return _mapping(path, text, f"--extra-vars @{printable(name)}")


def _mapping(path: str, text: str, shown: str) -> dict[str, Value]:
    problems: list[LoadProblem] = []
    found = vars_from_text(path, text, "extra_vars", None, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise UsageError(f"{shown}: {_first(errors, 'not YAML')}")
    if not found and text.strip() not in ("", "{}", "null", "~"):
        raise UsageError(f"{shown}: could not be made into a mapping of variables")
    return found


def _first(problems: list[LoadProblem], fallback: str) -> str:
    return str(problems[0]) if problems else fallback


def _key_values(argument: str) -> dict[str, Value]:
    """``key=value key2="a b"``: shell-style words, each split at its first ``=``."""
    try:
        words = shlex.split(argument, posix=True)
    except ValueError as exc:
        raise UsageError(f"--extra-vars {printable(argument)}: {exc}") from None
    out: dict[str, Value] = {}
    start = 0
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise UsageError(
                f"--extra-vars {printable(argument)}: {printable(word)} is not key=value "
                "(use @FILE for a file, {...} for YAML or JSON)"
            )
        at = argument.find(key + "=", start)
        column = at + 1 if at >= 0 else 1
        start = max(at, start)
        out[key] = Value(
            value,
            COMMAND_LINE,
            1,
            column,
            source_kind="extra_vars",
            templated=is_templated(value),
        )
    return out


__all__ = ["COMMAND_LINE", "load_extra_vars"]
