"""Resolve templated inventory values (``"{{ other_var }}"``) from the same host's variables.

A sandboxed Jinja environment with Jinja's own filters only: no lookups, no Ansible filters, no
access to the file system or the network. A value that needs more (an Ansible filter, a lookup,
a fact gathered at run time, an undefined variable) is reported as unresolved, never guessed.

A template is data from the inventory, so what it may cost is bounded while it runs: the parsed
template is rewritten so that loops, ``~`` joins and output go through counting helpers, and the
sandbox checks operators and calls; a value over the budget is unresolved too. ``!unsafe`` text
(:class:`UnsafeText`) is never templated, as in Ansible.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from node_timing.display import brief, cut

MAX_DEPTH = 10
MAX_LENGTH = 4096
# Work one value may cost: loop iterations, calls and filters, counted while rendering (a loop
# cannot be stopped from outside once Python runs it). Two passes over a 5,000-item list fit;
# four nested loops over a 1,000-character string (10^12 steps) stop after this many, in about
# 0.1 s. A timing value's template is an expression or two.
MAX_STEPS = 10_000
# Work all the templates of one lint may cost together: each value is bounded, but an inventory of
# thousands of hosts with distinct variables resolves each template once per group of hosts
# (2,000 hosts with five 10,000-step templates took 35 s). 2,000,000 steps is a few seconds.
MAX_RUN_STEPS = 2_000_000

# A %-format conversion: optional (key), flags, width, precision. Width and precision are what
# make '%900000000d' % 40 a gigabyte.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?")


class UnsafeText(str):
    """Text Ansible never templates: a ``!unsafe`` YAML value (Ansible's AnsibleUnsafeText)."""

    __slots__ = ()


@dataclass(frozen=True)
class Unresolved:
    reason: str


class _OverBudget(ValueError):
    """A template asked for more work or text than one value may cost."""


class _Budget:
    """What one :func:`resolve` call has spent, shared by the templates it resolves on the way."""

    __slots__ = ("output", "steps")

    def __init__(self) -> None:
        self.steps = 0
        self.output = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("node_timing_template_budget", default=None)
# What the current run (one lint, see new_run) has spent on all its templates together.
_RUN = _Budget()


def new_run() -> None:
    """Start counting the work of a new lint: the run-wide budget starts again."""
    _RUN.steps = 0


def _charge(steps: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is None:  # pragma: no cover - templates render only inside resolve()
        return
    budget.steps += steps
    _RUN.steps += steps
    if budget.steps > MAX_STEPS:
        raise _OverBudget(f"more than {MAX_STEPS:,} loop iterations, calls and filters")
    if _RUN.steps > MAX_RUN_STEPS:
        raise _OverBudget(
            f"the templates of this inventory together cost more than {MAX_RUN_STEPS:,} loop "
            "iterations, calls and filters"
        )


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _charge()
        yield item


def _size(value: Any, limit: int = MAX_LENGTH) -> int:
    """How big ``value`` is as text (characters, or items of nested containers), counted up to
    just past ``limit``: the walk never costs more than ``limit`` steps, even for a list that
    holds itself a billion times through shared references."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            if len(item) <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            if len(item) <= limit:
                stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 3 + 1  # about its decimal digits, without str()
        else:
            total += 1
    return total


def _check_size(value: Any, what: str) -> None:
    if _size(value) > MAX_LENGTH:
        raise _OverBudget(f"{what} longer than {MAX_LENGTH} characters")


def _check_percent(fmt: str, args: Any) -> None:
    """Refuse a %-format whose width or precision would build huge text ('%900000000d' % 40)."""
    star = False
    for m in _PERCENT_SPEC.finditer(fmt):
        for number in (m.group(1), m.group(2)):
            if number == "*":
                star = True
            elif number and (len(number) > 5 or int(number) > MAX_LENGTH):
                raise _OverBudget(f"a % format width above {MAX_LENGTH}")
    if star:  # the width comes from the arguments
        values = args.values() if isinstance(args, dict) else args
        for v in values if isinstance(values, Iterable) and not isinstance(values, str) else ():
            if isinstance(v, int) and abs(v) > MAX_LENGTH:
                raise _OverBudget(f"a % format width above {MAX_LENGTH}")


def _int_too_big(left: Any, right: Any, operator: str) -> bool:
    """Whether ``left operator right`` on integers would have more bits than a value can show
    (a few thousand decimal digits): ``x * x`` or ``x ** 64`` repeated grows without end."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right)):
        return False
    bits = left.bit_length()
    grown = bits * abs(right) if operator == "**" else bits + right.bit_length()
    return bool(grown > 4 * MAX_LENGTH)


_ENV: Any = None


def _environment() -> Any:
    global _ENV
    if _ENV is None:
        from jinja2 import StrictUndefined, pass_context
        from jinja2.runtime import LoopContext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class _Bounded(ImmutableSandboxedEnvironment):
            """Bounds what an operator or call can build, and counts every call against the
            budget: ``{{ 9**9**9 }}`` or ``'%900000000d' % 40`` cannot hang or fill memory."""

            intercepted_binops = frozenset(["**", "*", "+", "%"])

            def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
                if operator == "**":
                    if isinstance(right, int | float) and abs(right) > 64:
                        raise _OverBudget("an exponent above 64")
                    if _int_too_big(left, right, operator):
                        raise _OverBudget("a power with too many digits")
                    return left**right
                if operator == "%":
                    if isinstance(left, str):
                        _check_percent(left, right)
                        _check_size(right, "a % format argument")
                    return left % right
                if operator == "+":
                    sized = (str, list, tuple)
                    both = isinstance(left, sized) and isinstance(right, sized)
                    if both and len(left) + len(right) > MAX_LENGTH:
                        raise _OverBudget(f"a sum longer than {MAX_LENGTH} items")
                    return left + right
                if isinstance(left, str | list) or isinstance(right, str | list):
                    size = len(left) if isinstance(left, str | list) else len(right)
                    count = right if isinstance(left, str | list) else left
                    if isinstance(count, int) and size * count > MAX_LENGTH:
                        raise _OverBudget(f"repeated text longer than {MAX_LENGTH} characters")
                elif _int_too_big(left, right, operator):
                    raise _OverBudget("a product with too many digits")
                return left * right

            def wrap_str_format(self, value: Any) -> Any:
                if super().wrap_str_format(value) is None:
                    return None

                def refuse(*_args: Any, **_kwargs: Any) -> str:  # a width in the spec: any size
                    raise ValueError("str.format is not evaluated")

                return refuse

            def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
                _charge()
                _check_operands((__obj, *args, *kwargs.values()))
                if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
                    args = (_counted(args[0]), *args[1:])
                return super().call(__context, __obj, *args, **kwargs)

        @pass_context  # never folded into a constant at compile time: it must run each time
        def iterate(_context: Any, iterable: Any) -> Iterator[Any]:
            return _counted(iterable)

        @pass_context
        def concat(_context: Any, parts: list[Any]) -> str:
            texts = []
            length = 0
            for part in parts:
                _check_size(part, "a ~ result")
                text = str(part)
                length += len(text)
                if length > MAX_LENGTH:
                    raise _OverBudget(f"a ~ result longer than {MAX_LENGTH} characters")
                texts.append(text)
            return "".join(texts)

        @pass_context
        def output(_context: Any, value: Any) -> Any:
            budget = _BUDGET.get()
            if budget is not None:
                budget.output += _size(value)
                if budget.output > MAX_LENGTH:
                    raise _OverBudget(f"output longer than {MAX_LENGTH} characters")
            return value

        env = _Bounded(undefined=StrictUndefined, autoescape=False, optimized=False)
        env.globals.clear()
        env.filters = {name: _bounded_filter(name, f) for name, f in env.filters.items()}
        env.filters.update({_ITERATE: iterate, _CONCAT: concat, _OUTPUT: output})
        _ENV = env
    return _ENV


# Internal filters the parsed template is rewritten to call (names a template cannot spell
# usefully: using them directly only costs budget).
_ITERATE, _CONCAT, _OUTPUT = "_nt_iterate", "_nt_concat", "_nt_output"


def _instrument(template: Any) -> Any:
    """Rewrite a parsed template so its work is counted while it runs: every ``for`` iterates
    through a counter, every ``~`` joins through a bounded join, every piece of output (literal
    text too: a 4,000-character body in a loop) is added to the output budget."""
    from jinja2 import nodes

    def wrap(node: Any, name: str) -> Any:
        return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)

    def joined(node: Any) -> Any:
        if isinstance(node, nodes.Concat):
            return wrap(nodes.List(node.nodes, lineno=node.lineno), _CONCAT)
        return node

    # Children before parents (reversed pre-order), so a nested ``~`` is replaced inside the
    # list its parent's join will hold.
    for parent in reversed(list(template.find_all(nodes.Node))):
        for name in parent.fields:
            child = getattr(parent, name, None)
            if isinstance(child, list):
                setattr(parent, name, [joined(c) for c in child])
            elif isinstance(child, nodes.Concat):
                setattr(parent, name, joined(child))
    for loop in template.find_all(nodes.For):
        loop.iter = wrap(loop.iter, _ITERATE)
    for out in template.find_all(nodes.Output):
        out.nodes = [
            wrap(nodes.Const(c.data, lineno=c.lineno), _OUTPUT)
            if isinstance(c, nodes.TemplateData)
            else wrap(c, _OUTPUT)
            for c in out.nodes
        ]
    return template


def _check_operands(values: Any) -> None:
    """Refuse calls that could build huge text: ``'a'|center(10**9)``, ``'{:>999999999}'.format``,
    or a method called on text that an earlier step already made long. One call then yields at
    most about MAX_LENGTH² characters, and a longer result cannot be passed on."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_LENGTH:
            raise _OverBudget(f"a number above {MAX_LENGTH} as a filter or method argument")
        if isinstance(value, str | list | tuple | dict) and _size(value) > MAX_LENGTH:
            raise _OverBudget(f"text longer than {MAX_LENGTH} as a filter or method argument")


def _bounded_filter(name: str, f: Any) -> Any:
    import functools

    @functools.wraps(f)  # keeps jinja's pass_context/pass_environment marker
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _charge()
        _check_operands((*args, *kwargs.values()))
        if name == "format" and args and isinstance(args[0], str):
            _check_percent(args[0], (*args[1:], *kwargs.values()))  # '%900000000d' | format(40)
        return f(*args, **kwargs)

    return bounded


def resolve(text: str, variables: Mapping[str, Any], depth: int = 0) -> Any:
    """The value ``text`` renders to, or :class:`Unresolved` with the reason.

    ``!unsafe`` text (:class:`UnsafeText`) is returned as it is: Ansible never templates it.
    """
    if isinstance(text, UnsafeText):
        return str(text)
    if _BUDGET.get() is None:
        token = _BUDGET.set(_Budget())
        try:
            return _resolve(text, variables, depth)
        finally:
            _BUDGET.reset(token)
    return _resolve(text, variables, depth)


def _resolve(text: str, variables: Mapping[str, Any], depth: int) -> Any:
    shown = brief(text)  # messages quote a bounded form of the template
    if depth > MAX_DEPTH:
        return Unresolved(f"templates nest deeper than {MAX_DEPTH} levels")
    if len(text) > MAX_LENGTH:
        return Unresolved(f"template longer than {MAX_LENGTH} characters")
    from jinja2 import TemplateError, UndefinedError

    try:
        names, template = _compiled(text)
        context: dict[str, Any] = {}
        for name in names:
            if name not in variables:
                return Unresolved(f"{shown} needs '{name}', which this inventory does not define")
            value = variables[name]
            if is_templated(value):
                value = resolve(value, variables, depth + 1)
                if isinstance(value, Unresolved):
                    return value
            context[name] = value
        rendered = template.render(context)
    except _OverBudget as exc:
        return Unresolved(f"{shown} costs too much to evaluate here ({exc})")
    except UndefinedError as exc:
        return Unresolved(f"{shown} cannot be evaluated here ({cut(str(exc))})")
    except TemplateError as exc:
        name = exc.__class__.__name__
        return Unresolved(f"{shown} cannot be evaluated here ({name}: {cut(str(exc))})")
    except Exception as exc:  # sandbox refusals and errors in user arithmetic must not crash a lint
        return Unresolved(f"{shown} cannot be evaluated here ({exc.__class__.__name__})")
    return _typed(rendered)


@functools.lru_cache(maxsize=1024)
def _compiled(text: str) -> tuple[frozenset[str], Any]:
    """The variables ``text`` needs and its instrumented template, compiled once per text: a group
    of hosts resolves the same template again, and compiling costs a thousand times rendering."""
    from jinja2 import meta

    env = _environment()
    parsed = env.parse(text)
    names = frozenset(meta.find_undeclared_variables(parsed))
    return names, env.from_string(_instrument(parsed))


def is_templated(value: Any) -> bool:
    """Whether Ansible would template ``value``: text with ``{{`` or ``{%`` that is not ``!unsafe``."""
    return (
        isinstance(value, str)
        and not isinstance(value, UnsafeText)
        and ("{{" in value or "{%" in value)
    )


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
