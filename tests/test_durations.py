"""Go duration parsing and printing, checked against values Go's own tests use."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node_timing import durations
from node_timing.durations import HOUR, MICROSECOND, MILLISECOND, MINUTE, NANOSECOND, SECOND

# Pairs from Go's src/time/time_test.go parseDurationTests.
VALID = [
    ("0", 0),
    ("5s", 5 * SECOND),
    ("30s", 30 * SECOND),
    ("1478s", 1478 * SECOND),
    ("-5s", -5 * SECOND),
    ("+5s", 5 * SECOND),
    ("-0", 0),
    ("+0", 0),
    ("5.0s", 5 * SECOND),
    ("5.6s", 5 * SECOND + 600 * MILLISECOND),
    ("5.s", 5 * SECOND),
    (".5s", 500 * MILLISECOND),
    ("1.0s", 1 * SECOND),
    ("1.00s", 1 * SECOND),
    ("1.004s", 1 * SECOND + 4 * MILLISECOND),
    ("1.0040s", 1 * SECOND + 4 * MILLISECOND),
    ("100.00100s", 100 * SECOND + 1 * MILLISECOND),
    ("10ns", 10 * NANOSECOND),
    ("11us", 11 * MICROSECOND),
    ("12µs", 12 * MICROSECOND),
    ("12μs", 12 * MICROSECOND),
    ("13ms", 13 * MILLISECOND),
    ("14s", 14 * SECOND),
    ("15m", 15 * MINUTE),
    ("16h", 16 * HOUR),
    ("3h30m", 3 * HOUR + 30 * MINUTE),
    ("10.5s4m", 4 * MINUTE + 10 * SECOND + 500 * MILLISECOND),
    ("-2m3.4s", -(2 * MINUTE + 3 * SECOND + 400 * MILLISECOND)),
    ("1h2m3s4ms5us6ns", 1 * HOUR + 2 * MINUTE + 3 * SECOND + 4 * MILLISECOND + 5 * MICROSECOND + 6),
    ("39h9m14.425s", 39 * HOUR + 9 * MINUTE + 14 * SECOND + 425 * MILLISECOND),
    ("52763797000ns", 52763797000 * NANOSECOND),
    ("0.3333333333333333333h", 20 * MINUTE),
    ("9007199254740993ns", (1 << 53) + 1),
    ("9223372036854775807ns", (1 << 63) - 1),
    ("9223372036854775.807us", (1 << 63) - 1),
    ("9223372036s854ms775us807ns", (1 << 63) - 1),
    ("-9223372036854775808ns", -(1 << 63)),
    ("-9223372036854775.808us", -(1 << 63)),
    ("-9223372036s854ms775us808ns", -(1 << 63)),
    ("-2562047h47m16.854775808s", -(1 << 63)),
    ("0.100000000000000000000h", 6 * MINUTE),
    ("0.830103483285477580700h", 49 * MINUTE + 48 * SECOND + 372539827 * NANOSECOND),
]

INVALID = [
    "",
    "3",
    "-",
    "s",
    ".",
    "-.",
    ".s",
    "+.s",
    "1d",
    "\x85\x85",
    "\xffff",
    "hello \xffff world",
    "9223372036854775808ns",
    "9223372036854775.808us",
    "9223372036854ms775us808ns",
    "-9223372036854775809ns",
    "10",
    "1 m",
    " 10s",
    "10s ",
    "1e3s",
    "1,5s",
    "inf",
    "NaN",
]


@pytest.mark.parametrize(("text", "ns"), VALID)
def test_parse_accepts_what_go_accepts(text: str, ns: int) -> None:
    assert durations.parse(text) == ns


@pytest.mark.parametrize("text", INVALID)
def test_parse_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(durations.DurationError):
        durations.parse(text)


def test_parse_rejects_non_strings() -> None:
    for value in (10, 1.5, None, ["10s"], True):
        with pytest.raises(durations.DurationError):
            durations.parse(value)  # type: ignore[arg-type]


# Pairs from Go's durationTests (Duration.String).
PRINTED = [
    ("0s", 0),
    ("1ns", 1),
    ("1.1µs", 1100),
    ("2.2ms", 2200 * MICROSECOND),
    ("3.3s", 3300 * MILLISECOND),
    ("4m5s", 4 * MINUTE + 5 * SECOND),
    ("4m5.001s", 4 * MINUTE + 5001 * MILLISECOND),
    ("5h6m7.001s", 5 * HOUR + 6 * MINUTE + 7001 * MILLISECOND),
    ("8m0.000000001s", 8 * MINUTE + 1),
    ("2562047h47m16.854775807s", (1 << 63) - 1),
    ("-2562047h47m16.854775808s", -(1 << 63)),
    ("50s", 50 * SECOND),
    ("1m0s", MINUTE),
    ("5m0s", 5 * MINUTE),
    ("2m30s", 150 * SECOND),
    ("1h0m0s", HOUR),
    ("500ms", 500 * MILLISECOND),
]


@pytest.mark.parametrize(("text", "ns"), PRINTED)
def test_format_prints_like_go(text: str, ns: int) -> None:
    assert durations.format(ns) == text


def test_normalize() -> None:
    assert durations.normalize("60s") == "1m0s"
    assert durations.normalize("0.5m") == "30s"
    assert durations.normalize("90m") == "1h30m0s"


int64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)


@given(int64)
def test_format_then_parse_round_trips(ns: int) -> None:
    assert durations.parse(durations.format(ns)) == ns


@given(st.text(alphabet="0123456789.+-nsuµmh", max_size=12))
def test_parse_never_raises_anything_but_duration_error(text: str) -> None:
    try:
        ns = durations.parse(text)
    except durations.DurationError:
        return
    assert -(1 << 63) <= ns <= (1 << 63) - 1
    assert durations.parse(durations.format(ns)) == ns


def test_digits_stop_being_read_at_the_first_overflow() -> None:
    # Go's leadingInt returns at the digit that overflows; reading on was quadratic.
    value, stop, overflow = durations._leading_int("9" * 100_000 + "s", 0)
    assert overflow and value == 0 and stop == 18  # 18 nines times 10 would pass 2**63
    assert durations._leading_int("9223372036854775808s", 0) == (1 << 63, 19, False)


@pytest.mark.parametrize(
    ("text", "ns"),
    [("9223372036854775807ns", (1 << 63) - 1), ("-9223372036854775808ns", -(1 << 63))],
)
def test_int64_edges(text: str, ns: int) -> None:
    assert durations.parse(text) == ns


@pytest.mark.parametrize(
    "text",
    ["9223372036854775808ns", "9" * 1_000_000 + "s", "1" + "0" * 30 + "h", "0." + "9" * 10**6],
)
def test_overflow_is_invalid_and_the_message_is_short(text: str) -> None:
    with pytest.raises(durations.DurationError) as caught:
        durations.parse(text)
    message = str(caught.value)
    assert message.startswith("time: ") and len(message) < 200
    if len(text) > 80:
        assert "..." in message


def test_a_long_unknown_unit_is_quoted_shortened() -> None:
    with pytest.raises(durations.DurationError, match=r'unknown unit "x+\.\.\.x+"') as caught:
        durations.parse("1" + "x" * 100_000)
    assert len(str(caught.value)) < 200
