"""Resolve templated inventory values (``"{{ other_var }}"``) from the same host's variables.

A sandboxed Jinja environment with Jinja's own filters only: no lookups, no Ansible filters, no
access to the file system or the network. A value that needs more (an Ansible filter, a lookup,
a fact gathered at run time, an undefined variable) is reported as unresolved, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 10
MAX_LENGTH = 4096


@dataclass(frozen=True)
class Unresolved:
    reason: str


_ENV: Any = None


def _environment() -> Any:
    global _ENV
    if _ENV is None:
        from jinja2 import StrictUndefined
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class _Bounded(ImmutableSandboxedEnvironment):  # type: ignore[misc]
            """Refuses ``**`` with large operands, so ``{{ 9**9**9 }}`` cannot hang a lint."""

            intercepted_binops = frozenset(["**", "*"])

            def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
                if operator == "**":
                    if isinstance(right, int | float) and abs(right) > 64:
                        raise ValueError("exponent too large")
                    return left**right
                if isinstance(left, str | list) or isinstance(right, str | list):
                    size = len(left) if isinstance(left, str | list) else len(right)
                    count = right if isinstance(left, str | list) else left
                    if isinstance(count, int) and size * count > MAX_LENGTH:
                        raise ValueError("repeated text too long")
                return left * right

        env = _Bounded(undefined=StrictUndefined, autoescape=False, optimized=False)
        env.globals.clear()
        _ENV = env
    return _ENV


def resolve(text: str, variables: Mapping[str, Any], depth: int = 0) -> Any:
    """The value ``text`` renders to, or :class:`Unresolved` with the reason."""
    if depth > MAX_DEPTH:
        return Unresolved(f"templates nest deeper than {MAX_DEPTH} levels")
    if len(text) > MAX_LENGTH:
        return Unresolved(f"template longer than {MAX_LENGTH} characters")
    from jinja2 import TemplateError, UndefinedError, meta

    env = _environment()
    try:
        names = meta.find_undeclared_variables(env.parse(text))
        context: dict[str, Any] = {}
        for name in names:
            if name not in variables:
                return Unresolved(f"{text!r} needs '{name}', which this inventory does not define")
            value = variables[name]
            if isinstance(value, str) and ("{{" in value or "{%" in value):
                value = resolve(value, variables, depth + 1)
                if isinstance(value, Unresolved):
                    return value
            context[name] = value
        rendered = env.from_string(text).render(context)
    except UndefinedError as exc:
        return Unresolved(f"{text!r} cannot be evaluated here ({exc})")
    except TemplateError as exc:
        return Unresolved(f"{text!r} cannot be evaluated here ({exc.__class__.__name__}: {exc})")
    except Exception as exc:  # sandbox refusals and errors in user arithmetic must not crash a lint
        return Unresolved(f"{text!r} cannot be evaluated here ({exc.__class__.__name__})")
    return _typed(rendered)


def _typed(rendered: str) -> Any:
    """Like Ansible, give a rendered literal its type back (``"40"`` → 40), else keep the text."""
    import ast

    stripped = rendered.strip()
    if not stripped or len(stripped) > 100:
        return rendered
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return rendered
    if isinstance(value, bool | int | float) or value is None:
        return value
    return rendered
