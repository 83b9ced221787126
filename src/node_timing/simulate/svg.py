"""The --format svg picture: one lane per node group and one per zone's state, on a time axis.

Plain SVG 1.1 text built here (no drawing library): every text the picture shows is escaped, and
lanes with many marks of one kind draw a band with a count instead of thousands of shapes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from node_timing.simulate.scenarios import Outcome
from node_timing.simulate.values import FULL, NORMAL, PARTIAL, Event

WIDTH = 1000
LEFT = 250  # lane labels
RIGHT = 20
LANE = 34
TOP = 58
MAX_MARKS = 120  # per lane and kind; more become a band

# kind -> (colour, shape, legend)
MARKS: dict[str, tuple[str, str, str]] = {
    "renewal": ("#9aa5b1", "tick", "lease renewal"),
    "crash": ("#111111", "cross", "node stops"),
    "restart": ("#2b8a3e", "cross", "kubelet back"),
    "not_ready": ("#e8590c", "circle", "NotReady"),
    "ready": ("#2b8a3e", "circle", "Ready again"),
    "taint": ("#c92a2a", "triangle", "taint"),
    "untaint": ("#2b8a3e", "triangle", "taint removed"),
    "evict": ("#5f0f40", "diamond", "pods evicted"),
}
# XML's five special characters, and the C0 controls XML 1.0 does not allow (a label comes from a
# file name or a profile): xml.sax.saxutils would do the first, but importing it loads urllib,
# a fifth of the command's start-up.
_XML = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
    | {chr(c): "\ufffd" for c in range(32) if c not in (9, 10, 13)}
)


def escape(text: str) -> str:
    return text.translate(_XML)


def quoteattr(text: str) -> str:
    return f'"{escape(text)}"'


ZONE_COLOURS = {NORMAL: "#d3f9d8", PARTIAL: "#ffe8cc", FULL: "#ffc9c9", "Initial": "#f1f3f5"}


def render(doc: dict[str, Any], outcome: Outcome) -> str:
    events = outcome.events
    lanes = list(outcome.groups.items())
    zones = list(outcome.zone_sizes)
    end = _end(doc, events)
    begin = -min(60.0, max(10.0, 2 * float(doc["model"]["renew_interval_seconds"])))
    height = TOP + LANE * (len(lanes) + len(zones)) + 80
    span = end - begin

    def x(t: float) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (min(max(t, begin), end) - begin) / span, 1)

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(_title(doc))}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(_title(doc))}</text>',
        f'<text x="10" y="38">{escape(_subtitle(doc))}</text>',
    ]
    axis_y = TOP + LANE * (len(lanes) + len(zones)) + 8
    out.append(
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" stroke="#495057"/>'
    )
    for tick in _ticks(begin, end):
        out.append(
            f'<line x1="{x(tick)}" y1="{TOP}" x2="{x(tick)}" y2="{axis_y + 4}" stroke="#e9ecef"/>'
            f'<text x="{x(tick)}" y="{axis_y + 16}" text-anchor="middle">{tick:g}s</text>'
        )
    by_node: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.node is not None:
            by_node[e.node].append(e)
    for i, (label, names) in enumerate(lanes):
        y = TOP + LANE * i
        mid = y + LANE / 2
        out.append(
            f'<g class="lane" data-group={quoteattr(label)}>'
            f'<rect x="{LEFT}" y="{y + 2}" width="{WIDTH - LEFT - RIGHT}" height="{LANE - 4}" '
            f'fill="#f8f9fa"/><text x="10" y="{mid + 4}">{escape(label)}</text>'
        )
        if not names:  # aggregated healthy nodes: renewing, never marked
            out.append(
                f'<line x1="{LEFT}" y1="{mid}" x2="{WIDTH - RIGHT}" y2="{mid}" '
                'stroke="#9aa5b1" stroke-dasharray="2 6"/>'
            )
        times: dict[str, list[float]] = defaultdict(list)
        for name in names:
            for t in outcome.renewals.get(name, []):
                times["renewal"].append(t)
            for e in by_node.get(name, []):
                if e.kind in MARKS:
                    times[e.kind].append(e.t)
        for kind, ts in times.items():
            ts = [t for t in ts if begin <= t <= end]
            if not ts:
                continue
            colour, shape, _ = MARKS[kind]
            if len(ts) > MAX_MARKS:
                out.append(
                    f'<rect class="mark {kind}" x="{x(min(ts))}" y="{mid - 3}" '
                    f'width="{max(1.0, x(max(ts)) - x(min(ts)))}" height="6" fill="{colour}" '
                    f'opacity="0.6"><title>{len(ts):,} x {escape(MARKS[kind][2])}</title></rect>'
                )
                continue
            for t in ts:
                out.append(_shape(kind, shape, colour, x(t), mid))
        out.append("</g>")
    for j, zone in enumerate(zones):
        y = TOP + LANE * (len(lanes) + j)
        out.append(
            f'<g class="zone" data-zone={quoteattr(zone)}><text x="10" y="{y + LANE / 2 + 4}">'
            f"{escape(zone)} state</text>"
        )
        for start, stop, state in _zone_spans(events, zone, begin, end):
            out.append(
                f'<rect x="{x(start)}" y="{y + 6}" width="{max(0.5, round(x(stop) - x(start), 1))}" '
                f'height="{LANE - 12}" fill="{ZONE_COLOURS.get(state, "#f1f3f5")}">'
                f"<title>{escape(state)}</title></rect>"
            )
            if x(stop) - x(start) > 90:
                out.append(
                    f'<text x="{x(start) + 4}" y="{y + LANE / 2 + 4}">{escape(state)}</text>'
                )
        out.append("</g>")
    lx = 10
    ly = axis_y + 40
    for kind, (colour, shape, legend) in MARKS.items():
        out.append(_shape(kind, shape, colour, lx + 6, ly - 4))
        out.append(f'<text x="{lx + 16}" y="{ly}">{escape(legend)}</text>')
        lx += 20 + 7 * len(legend) + 14
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _shape(kind: str, shape: str, colour: str, x: float, y: float) -> str:
    cls = f'class="mark {kind}"'
    if shape == "tick":
        return f'<line {cls} x1="{x}" y1="{y - 7}" x2="{x}" y2="{y + 7}" stroke="{colour}"/>'
    if shape == "circle":
        return f'<circle {cls} cx="{x}" cy="{y}" r="4" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path {cls} d="M{x} {y - 6}L{x + 5} {y + 4}L{x - 5} {y + 4}Z" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<path {cls} d="M{x} {y - 6}L{x + 5} {y}L{x} {y + 6}L{x - 5} {y}Z" fill="{colour}"/>'
        )
    return (
        f'<path {cls} d="M{x - 5} {y - 5}L{x + 5} {y + 5}M{x + 5} {y - 5}L{x - 5} {y + 5}" '
        f'stroke="{colour}" stroke-width="2"/>'
    )


def _zone_spans(
    events: list[Event], zone: str, begin: float, end: float
) -> list[tuple[float, float, str]]:
    spans: list[tuple[float, float, str]] = []
    state, since = NORMAL, begin
    for e in events:
        if e.kind == "zone" and e.zone == zone and e.detail:
            if e.t > since:
                spans.append((since, min(e.t, end), state))
            state, since = e.detail, max(e.t, begin)
    spans.append((since, end, state))
    return [s for s in spans if s[1] > s[0]]


def _end(doc: dict[str, Any], events: list[Event]) -> float:
    """The picture ends a little after the last event (or at the horizon)."""
    last = max((e.t for e in events if e.kind != "zone" or e.t > 0), default=0.0)
    return float(min(doc["horizon_seconds"], max(60.0, last * 1.08 + 10)))


def _ticks(begin: float, end: float) -> list[float]:
    span = end - begin
    step = next((s for s in (5, 10, 30, 60, 120, 300, 600, 1800, 3600) if span / s <= 12), 7200)
    first = -(-begin // step) * step
    return [first + i * step for i in range(int((end - first) // step) + 1)]


def _title(doc: dict[str, Any]) -> str:
    return f"node-timing simulate: {doc['scenario']}, {doc['nodes']:,} nodes, {doc['failed']:,} failing"


def _subtitle(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    d = s["detection_seconds"]
    detected = (
        f"detected {d['min']:g}s to {d['max']:g}s" if d["min"] is not None else "nothing detected"
    )
    evicted = (
        f"{s['evicted_nodes']:,} evicted, first {s['first_eviction_seconds']:g}s, last "
        f"{s['last_eviction_seconds']:g}s"
        if s["evicted_nodes"]
        else "nothing evicted"
    )
    source = doc.get("profile") or doc.get("inventory") or ""
    return f"{source}: {detected}; {evicted}; {s['false_not_ready']:,} false NotReady; seed {doc['seed']}"
