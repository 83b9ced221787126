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

        class _Bounded(ImmutableSandboxedEnvironment):
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

            def wrap_str_format(self, value: Any) -> Any:
                if super().wrap_str_format(value) is None:
                    return None

                def refuse(*_args: Any, **_kwargs: Any) -> str:  # a width in the spec: any size
                    raise ValueError("str.format is not evaluated")

                return refuse

            def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
                _check_operands((__obj, *args, *kwargs.values()))
                return super().call(__context, __obj, *args, **kwargs)

        env = _Bounded(undefined=StrictUndefined, autoescape=False, optimized=False)
        env.globals.clear()
        env.filters = {name: _bounded_filter(f) for name, f in env.filters.items()}
        _ENV = env
    return _ENV


def _check_operands(values: Any) -> None:
    """Refuse calls that could build huge text: ``'a'|center(10**9)``, ``'{:>999999999}'.format``,
    or a method called on text that an earlier step already made long. One call then yields at
    most about MAX_LENGTH² characters, and a longer result cannot be passed on."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_LENGTH:
            raise ValueError("number too large for a template call")
        if isinstance(value, str | list | tuple | dict) and len(value) > MAX_LENGTH:
            raise ValueError("text too long for a template call")


def _bounded_filter(f: Any) -> Any:
    import functools

    @functools.wraps(f)  # keeps jinja's pass_context/pass_environment marker
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_operands((*args, *kwargs.values()))
        return f(*args, **kwargs)

    return bounded


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
