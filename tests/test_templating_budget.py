"""The templating work budget: loops, output, ``~``, ``+``, ``%`` and ``format`` are bounded while
the template runs, and an over-budget value is Unresolved with a short reason."""

from __future__ import annotations

import pytest

from node_timing.templating import MAX_LENGTH, MAX_STEPS, Unresolved, UnsafeText, resolve

LOOP = "{% for a in s %}"
BOMBS = {
    "nested loops": LOOP * 4 + "x" + "{% endfor %}" * 4,
    "% width": "{{ '%900000000d' % 40 }}",
    "% star width": "{{ '%*d' % (900000000, 4) }}",
    "% precision": "{{ '%.900000000f' % 1 }}",
    "format width": "{{ '%900000000d' | format(40) }}",
    "format mapping width": "{{ '%(a)900000000d' | format(a=40) }}",
    "~ doubling": "{% set x = 'ab' %}" + "{% set x = x ~ x %}" * 30 + "{{ x }}",
    "+ doubling text": "{% set x = 'ab' %}" + "{% set x = x + x %}" * 30 + "{{ x }}",
    "+ doubling list": "{% set x = [1] %}" + "{% set x = x + x %}" * 30 + "{{ x | length }}",
    "nested list output": "{% set x = [1] %}" + "{% set x = [x, x] %}" * 40 + "{{ x }}",
    "integer squaring": "{% set x = 99 %}" + "{% set x = x * x %}" * 40 + "{{ x }}",
    "integer powers": "{% set x = 99 %}" + "{% set x = x ** 64 %}" * 5 + "{{ x }}",
    "literal text in a loop": LOOP + "y" * 3000 + "{% endfor %}",
    "exponential macro": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(25) }}"
    ),
    "recursive loop": LOOP[:-2] + " recursive %}{% if loop.depth < 5 %}{{ loop(s) }}{% endif %}"
    "{% endfor %}",
}
VARIABLES = {"s": "a" * 1000, "grace": "40s", "n": 4, "hosts": list(range(5000))}


@pytest.mark.parametrize("template", BOMBS.values(), ids=BOMBS.keys())
def test_bombs_are_unresolved(template: str) -> None:
    result = resolve(template, VARIABLES)
    assert isinstance(result, Unresolved), str(result)[:200]
    assert "costs too much to evaluate here" in result.reason
    assert len(result.reason) < 300  # the template is quoted shortened


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ grace }}", "40s"),
        ("{{ n * 10 }}s", "40s"),
        ("{{ n ~ '0s' }}", "40s"),
        ("{{ 'a' ~ ('b' ~ n) ~ 'c' }}", "ab4c"),
        ("{{ '%ds' % 40 }}", "40s"),
        ("{{ '%ds' | format(40) }}", "40s"),
        ("{{ '%(a)ds' | format(a=40) }}", "40s"),
        ("{{ 2 ** 6 }}", 64),
        ("{% for h in hosts %}{% endfor %}50s", "50s"),  # 5,000 iterations fit
        ("{% for h in hosts if h < 3 %}{{ loop.length }}{% endfor %}", 333),
        ("{{ ('x' * 4096) | length }}", 4096),
    ],
)
def test_ordinary_templates_still_resolve(template: str, expected: object) -> None:
    assert resolve(template, VARIABLES) == expected


def test_the_step_budget_is_counted_per_value() -> None:
    within = {"items": list(range(MAX_STEPS - 100))}
    beyond = {"items": list(range(MAX_STEPS + 1))}
    template = "{% for i in items %}{% endfor %}ok"
    assert resolve(template, within) == "ok"
    assert resolve(template, within) == "ok"  # a fresh budget for every value
    assert isinstance(resolve(template, beyond), Unresolved)


def test_output_may_reach_the_limit_but_not_pass_it() -> None:
    assert resolve("{{ 'x' * 2048 }}{{ 'y' * 2048 }}", {}) == "x" * 2048 + "y" * 2048
    over = resolve("{{ 'x' * 2048 }}{{ 'y' * 2048 }}z", {})
    assert isinstance(over, Unresolved) and f"output longer than {MAX_LENGTH}" in over.reason


def test_templates_referring_to_templates_share_one_budget() -> None:
    variables = {"s": "a" * 80, "inner": LOOP * 2 + "{% endfor %}" * 2 + "5s"}
    assert resolve("{{ inner }}", variables) == "5s"  # 6,480 steps: they would not fit twice
    variables["inner2"] = "{{ inner }}"
    assert isinstance(resolve("{{ inner }}{{ inner2 }}", variables), Unresolved)


def test_unsafe_text_is_never_templated() -> None:
    assert resolve(UnsafeText("{{ grace }}"), VARIABLES) == "{{ grace }}"
    through = resolve("{{ raw }}", {"raw": UnsafeText("{{ grace }}"), "grace": "40s"})
    assert through == "{{ grace }}"


def test_reasons_quote_a_shortened_template() -> None:
    template = "{{ " + " + ".join(["missing_variable"] * 200) + " }}"
    result = resolve(template[:4000], {})
    assert isinstance(result, Unresolved)
    assert "..." in result.reason and len(result.reason) < 200
