"""Text and JSON forms of a simulation: the report document and the terminal timeline."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from node_timing.simulate.scenarios import Outcome, Scenario
from node_timing.simulate.values import Event, Params

_WHAT = {
    "crash": "stopped",
    "restart": "kubelet back",
    "not_ready": "marked NotReady (Unknown)",
    "ready": "Ready again",
    "taint": "tainted unreachable:NoExecute",
    "untaint": "taint removed",
    "evict": "pods evicted",
}


def event_dict(e: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"t": round(e.t, 3), "kind": e.kind}
    for key in ("node", "zone", "detail"):
        value = getattr(e, key)
        if value is not None:
            out[key] = value
    return out


def params_dict(p: Params) -> dict[str, Any]:
    return {
        "renew_interval_seconds": p.renew,
        "status_update_seconds": p.status_update,
        "status_report_seconds": p.status_report,
        "heartbeat_timeout_seconds": p.timeout,
        "monitor_period_seconds": p.monitor_period,
        "grace_seconds": p.grace,
        "startup_grace_seconds": p.startup_grace,
        "eviction_rate": p.eviction_rate,
        "secondary_eviction_rate": p.secondary_rate,
        "large_cluster_size_threshold": p.large_cluster,
        "unhealthy_zone_threshold": p.unhealthy_threshold,
        "toleration_seconds": p.toleration,
        "taint_queued": "next pass" if p.taint_next_pass else "same pass",
        "pods_per_node": p.pods_per_node,
        "kube_api_qps": p.api_qps,
        "kube_api_burst": p.api_burst,
    }


def document(
    scenario: Scenario,
    params: Params,
    head: dict[str, Any],
    outcome: Outcome,
    summary: dict[str, Any],
    dist: dict[str, Any] | None,
    runs: int,
) -> dict[str, Any]:
    """The --format json document (the event list is the first run's)."""
    doc: dict[str, Any] = {
        "scenario": scenario.name,
        **head,
        "nodes": scenario.nodes,
        "zones": outcome.zone_sizes,
        "failed": scenario.failed_count(),
        "horizon_seconds": scenario.horizon,
        "seed": outcome.seed,
        "runs": runs,
        "model": params_dict(params),
        "summary": summary,
    }
    if scenario.name == "kubelet-restart":
        doc["downtime_seconds"] = scenario.downtime
    if scenario.name == "apiserver-slow":
        doc["slow_seconds"] = scenario.slow_for
        doc["latency"] = str(scenario.latency)
    if dist is not None:
        doc["distribution"] = dist
    doc["events"] = [event_dict(e) for e in outcome.events]
    return doc


def text(doc: dict[str, Any], outcome: Outcome) -> str:
    """The terminal timeline: what happened to whom, grouped by kind and zone, then the summary."""
    m = doc["model"]
    lines = [
        f"{doc['scenario']}: {doc['nodes']:,} nodes in {len(doc['zones'])} zone(s), "
        f"{doc['failed']:,} failing at t=0; seed {doc['seed']}, {doc['horizon_seconds']:g}s simulated",
        f"  lease renewed every {m['renew_interval_seconds']:g}s (+4% jitter), grace "
        f"{m['grace_seconds']:g}s, monitor every {m['monitor_period_seconds']:g}s, toleration "
        f"{m['toleration_seconds']:g}s, eviction rate {m['eviction_rate']:g}/s "
        f"(secondary {m['secondary_eviction_rate']:g}/s)",
    ]
    if m.get("stretched"):
        lines.append(f"  profile {doc.get('profile')} stretched: {m['stretch']['reason']}")
    if "closed_form" in doc:
        cf = doc["closed_form"]
        lines.append(
            f"  closed form for one dead node: detected after {cf['detection_seconds_min']:g}s to "
            f"{cf['detection_seconds_max']:g}s, pods evicted after {cf['eviction_seconds_min']:g}s "
            f"to {cf['eviction_seconds_max']:g}s (taint queued in the {cf['taint_queued']})"
        )
    lines += ["", "timeline (seconds from t=0):"]
    grouped: dict[tuple[str, str | None], list[Event]] = defaultdict(list)
    rows: list[tuple[float, str]] = []
    for e in outcome.events:
        if e.kind == "zone":
            rows.append((e.t, f"{_t(e.t)}  zone {e.zone} is now {e.detail}"))
        elif e.kind in ("slow_start", "slow_end"):
            what = (
                f"apiserver slow ({e.detail})" if e.kind == "slow_start" else "apiserver fast again"
            )
            rows.append((e.t, f"{_t(e.t)}  {what}"))
        else:
            grouped[(e.kind, e.zone)].append(e)
    for (kind, zone), events in grouped.items():
        what = _WHAT.get(kind, kind)
        if kind == "not_ready" and any(e.detail for e in events):
            what += f" ({sum(1 for e in events if e.detail)} false alarm(s))"
        first, last = events[0].t, events[-1].t
        if len(events) == 1:
            rows.append((first, f"{_t(first)}  {events[0].node}: {what}"))
        else:
            until = "at once" if last == first else f"until {_t(last).strip()}"
            rows.append((first, f"{_t(first)}  {len(events):,} nodes of {zone}: {what}, {until}"))
    rows.sort(key=lambda r: r[0])
    lines += [f"  {row}" for _, row in rows] or ["  nothing happened"]
    s = doc["summary"]
    d = s["detection_seconds"]
    lines += [
        "",
        "summary:",
        f"  detection          {_span(d)}",
        f"  evicted nodes      {s['evicted_nodes']:,}"
        + (
            f" (first {s['first_eviction_seconds']:g}s, last {s['last_eviction_seconds']:g}s)"
            if s["evicted_nodes"]
            else " within the horizon"
        ),
        f"  false NotReady     {s['false_not_ready']:,}",
        f"  controller writes  {s['controller_writes']:,} ({m['pods_per_node']} pods a node, "
        f"{m['kube_api_qps']:g} qps, burst {m['kube_api_burst']})"
        + (
            f"; last NotReady at {s['last_detection_seconds']:g}s"
            if s["last_detection_seconds"] is not None
            else ""
        ),
    ]
    if "distribution" in doc:
        lines.append(f"  over {doc['runs']} runs (min / median / max):")
        for name, values in doc["distribution"].items():
            shown = (
                "none in any run"
                if values is None
                else f"{values['min']:g} / {values['median']:g} / {values['max']:g}"
                + (f" ({values['runs_without']} runs without)" if "runs_without" in values else "")
            )
            lines.append(f"    {name:<26} {shown}")
    return "\n".join(lines) + "\n"


def _t(t: float) -> str:
    return f"{t:+9.1f}s"


def _span(d: dict[str, Any]) -> str:
    if d["min"] is None:
        return "no broken node detected"
    return f"{d['min']:g}s / {d['median']:g}s / {d['max']:g}s (min / median / max)"
