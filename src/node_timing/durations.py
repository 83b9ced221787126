"""Go durations: parse exactly what ``time.ParseDuration`` accepts, print like ``Duration.String()``.

Kubernetes reads every duration flag and every duration field of a component configuration with
Go's ``time.ParseDuration``; a value Go rejects stops the component. The grammar (Go ``src/time/
format.go``): an optional sign, then one or more ``<decimal><unit>`` pairs, where the decimal may
have a fraction (``1.5``, ``.5``, ``1.``) and the unit is one of ``ns us µs μs ms s m h``. The bare
string ``0`` is the only number without a unit. There is no ``d`` unit. Values are integer
nanoseconds in a signed 64-bit range.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from node_timing.display import cut

if TYPE_CHECKING:  # imported where used: `profile` starts faster without fractions/decimal
    from fractions import Fraction

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

# Both the micro sign (U+00B5) and the Greek small letter mu (U+03BC) are accepted by Go.
_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,
    "\u03bcs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_INT64_MAX = INT64_MAX = (1 << 63) - 1
# The longest Go duration in whole seconds (time.Duration is int64 nanoseconds: about 292 years).
MAX_SECONDS = _INT64_MAX // 1_000_000_000
_UNIT_CHARS = frozenset("nuµμmsh")


class DurationError(ValueError):
    """A string that Go's ``time.ParseDuration`` rejects."""


def _leading_int(s: str, i: int) -> tuple[int, int, bool]:
    """Digits from ``s[i:]`` as an integer; mirrors Go's ``leadingInt`` overflow report.

    Stops at the first digit that overflows, as Go does: carrying on would multiply an ever
    longer Python integer (quadratic in the number of digits; a 10 MB value would never end),
    and the caller refuses the duration on overflow anyway.
    """
    x = 0
    j = i
    while j < len(s) and "0" <= s[j] <= "9":
        if x > (1 << 63) // 10:
            return 0, j, True
        x = x * 10 + (ord(s[j]) - 48)
        if x > 1 << 63:
            return 0, j, True
        j += 1
    return x, j, False


def parse(text: str) -> int:
    """Return the duration in nanoseconds; raise :class:`DurationError` as Go would refuse it."""
    if not isinstance(text, str):
        raise DurationError(f"time: invalid duration {text!r}: not a string")
    orig = cut(text)  # Go quotes the whole text; a message quotes a bounded part of it
    s = text
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise DurationError(f'time: invalid duration "{orig}"')
    total = 0
    i = 0
    while i < len(s):
        if not (s[i] == "." or "0" <= s[i] <= "9"):
            raise DurationError(f'time: invalid duration "{orig}"')
        start = i
        v, i, overflow = _leading_int(s, i)
        if overflow:
            raise DurationError(f'time: invalid duration "{orig}"')
        pre = i != start
        post = False
        f = 0
        scale = 1.0
        if i < len(s) and s[i] == ".":
            i += 1
            fstart = i
            # Go's leadingFraction: keep digits while they fit, ignore the rest.
            frac_overflow = False
            while i < len(s) and "0" <= s[i] <= "9":
                if not frac_overflow:
                    if f > _INT64_MAX // 10:
                        frac_overflow = True
                    else:
                        y = f * 10 + (ord(s[i]) - 48)
                        if y > 1 << 63:
                            frac_overflow = True
                        else:
                            f = y
                            scale *= 10
                i += 1
            post = i != fstart
        if not pre and not post:
            raise DurationError(f'time: invalid duration "{orig}"')
        ustart = i
        while i < len(s) and s[i] != "." and not ("0" <= s[i] <= "9"):
            i += 1
        if i == ustart:
            raise DurationError(f'time: missing unit in duration "{orig}"')
        unit_name = s[ustart:i]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise DurationError(f'time: unknown unit "{cut(unit_name)}" in duration "{orig}"')
        if v > (1 << 63) // unit:
            raise DurationError(f'time: invalid duration "{orig}"')
        v *= unit
        if f > 0:
            # Go computes the fraction in float64 and truncates; Python floats are the same IEEE type.
            v += int(float(f) * (float(unit) / scale))
            if v > 1 << 63:
                raise DurationError(f'time: invalid duration "{orig}"')
        total += v
        if total > 1 << 63:
            raise DurationError(f'time: invalid duration "{orig}"')
    if neg:
        return -total
    if total > _INT64_MAX:
        raise DurationError(f'time: invalid duration "{orig}"')
    return total


def _frac(v: int, prec: int) -> tuple[str, int]:
    """Go's ``fmtFrac``: the fraction of ``v / 10**prec`` without trailing zeros, and the rest."""
    digits: list[str] = []
    printed = False
    for _ in range(prec):
        digit = v % 10
        printed = printed or digit != 0
        if printed:
            digits.append(str(digit))
        v //= 10
    if printed:
        return "." + "".join(reversed(digits)), v
    return "", v


def format(ns: int) -> str:
    """Print nanoseconds exactly as Go's ``Duration.String()`` does (``50s``, ``1m0s``, ``500ms``)."""
    if ns == 0:
        return "0s"
    neg = ns < 0
    u = -ns if neg else ns
    if u < SECOND:
        if u < MICROSECOND:
            prec, unit = 0, "ns"
        elif u < MILLISECOND:
            prec, unit = 3, "\u00b5s"
        else:
            prec, unit = 6, "ms"
        frac, u = _frac(u, prec)
        out = f"{u}{frac}{unit}"
    else:
        frac, u = _frac(u, 9)
        out = f"{u % 60}{frac}s"
        u //= 60
        if u > 0:
            out = f"{u % 60}m{out}"
            u //= 60
            if u > 0:
                out = f"{u}h{out}"
    return "-" + out if neg else out


def normalize(text: str) -> str:
    """The Go-normalised spelling of a duration string (``"60s"`` → ``"1m0s"``)."""
    return format(parse(text))


def from_seconds(seconds: float | int | Fraction) -> int:
    """Nanoseconds of a number of seconds (exact for whole and decimal seconds)."""
    from fractions import Fraction

    return int(Fraction(seconds) * SECOND)


def to_seconds(ns: int) -> float:
    """Seconds as a float, for figures; exact for whole milliseconds."""
    return ns / SECOND


def seconds_text(ns: int) -> str:
    """Seconds without a needless ``.0`` (``10``, ``2.5``), for messages."""
    from fractions import Fraction

    q = Fraction(ns, SECOND)
    if q.denominator == 1:
        return str(q.numerator)
    return f"{float(q):g}"
