"""A value as messages show it: ``repr`` cut to a bounded size.

A finding quotes the value it is about. A value from a hostile or careless inventory can be a
list of a million items or a string of megabytes; ``reprlib`` stops after a few items and levels
instead of building the whole text first, so a message costs the same whatever the value.
"""

from __future__ import annotations

import reprlib
from typing import Any

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
for _name in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _name, 6)


def brief(value: Any) -> str:
    """``repr(value)`` for short values; a shortened form with ``...`` for long or deep ones."""
    return _REPR.repr(value)


def cut(text: str, limit: int = _REPR.maxstring) -> str:
    """``text`` itself when short; else its start and end around ``...``, ``limit`` characters
    in all. For text a message embeds in its own quotes (a Go error, a template, a reason),
    where ``brief``'s ``repr`` quoting would be wrong."""
    if len(text) <= limit:
        return text
    head = (limit - 3) // 2
    tail = limit - 3 - head
    return f"{text[:head]}...{text[len(text) - tail :]}"
