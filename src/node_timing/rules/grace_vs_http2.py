"""grace-vs-http2: the grace period is not longer than the kubelet's HTTP/2 dead-connection timeouts.

A kubelet whose connection to the apiserver died silently notices only after
`HTTP2_READ_IDLE_TIMEOUT_SECONDS` + `HTTP2_PING_TIMEOUT_SECONDS` (apimachinery
`pkg/util/net/http.go` defaults 30 + 15 = 45s, for every client-go transport). Since Kubernetes
1.32 the `--node-monitor-grace-period` help text says the grace period "should also be greater
than the sum" of the two; a shorter grace flips every node NotReady when an apiserver goes away
(issue #121793), which is why the default moved from 40s to 50s. A ping timeout of 0 counts as
15s (golang.org/x/net http2 `pingTimeout()`).

`grace-vs-http2[health-check-off]` (an error): `HTTP2_READ_IDLE_TIMEOUT_SECONDS=0` turns the
health check off ("User can set the readIdleTimeout to 0 to disable the HTTP/2 connection health
check", apimachinery `pkg/util/net/http.go`): a silently dead connection then lingers until TCP
gives up, minutes during which the node's heartbeats fail and it is marked NotReady.

With `DISABLE_HTTP2` set in the kubelet's environment (any non-empty value) the kubelet speaks
HTTP/1.1 and closes all its connections when a heartbeat fails (`cmd/kubelet/app/server.go`
`buildKubeletClientConfig`): neither finding applies.

kubespray has no variable for the kubelet's environment and its `kubelet.env` is fixed: the
role variables `node_timing_http2_read_idle_timeout_seconds`,
`node_timing_http2_ping_timeout_seconds` and `node_timing_kubelet_disable_http2` are deployed only
by the `node_timing` role's apply. In an inventory the rule judges what runs without the apply
(the defaults), and says what the apply would deploy; on a node's files it judges the files.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 40s   # ≤ 45s with the kubelet's defaults
```

```yaml
kube_controller_node_monitor_grace_period: 20s
node_timing_http2_read_idle_timeout_seconds: 10  # only after the role's apply: 30 + 15 run
node_timing_http2_ping_timeout_seconds: 5
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 50s
```

**Fix.** Raise the grace period above the sum, or lower the kubelet's HTTP/2 timeouts with the
`node_timing` role's apply (`node_timing_http2_read_idle_timeout_seconds` /
`node_timing_http2_ping_timeout_seconds`, never a read-idle of 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from node_timing import durations, knowledge
from node_timing.evaluate.host_timing import HostTiming, settings_usable
from node_timing.evaluate.sources import NODE_TIMING_VAR, plain
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "grace-vs-http2"
SEVERITY: Severity = "warning"
SUMMARY = "the grace period is not longer than the kubelet's HTTP/2 read-idle + ping timeouts"
HEALTH_CHECK_OFF = f"{ID}[health-check-off]"

GRACE = "controller_manager.node_monitor_grace_period"
READ_IDLE = "kubelet.http2_read_idle_timeout_seconds"
PING = "kubelet.http2_ping_timeout_seconds"
# DISABLE_HTTP2 as a node's files set it (runs) and as the role's variable asks for it (intended)
DEPLOYED_DISABLE = "DISABLE_HTTP2"
ROLE_DISABLE = "node_timing_kubelet_disable_http2"
# golang.org/x/net/http2 Transport.pingTimeout(): 0 means 15 seconds
_PING_ZERO_MEANS = 15
ROLE_APPLY = "the node_timing role's apply"


def ping_seconds(ping: int) -> int:
    return ping if ping > 0 else _PING_ZERO_MEANS


def _truthy(value: Any) -> bool:
    raw = plain(value)
    if isinstance(raw, str):
        return raw.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(raw)


def role_only(group: HostTiming) -> bool:
    """Whether the group's HTTP/2 values come from the role's variables: intended, not running."""
    return any(group.effective[p].kind == NODE_TIMING_VAR for p in (READ_IDLE, PING))


def check(ctx: LintContext) -> Iterator[Finding]:
    if not settings_usable(ctx.cluster, GRACE):
        return
    grace = ctx.cluster.settings.controller_manager.node_monitor_grace_period
    for group in ctx.kubelet_groups:
        if not settings_usable(group, READ_IDLE, PING) or DEPLOYED_DISABLE in group.variables:
            continue
        k = group.settings.kubelet
        intended = (k.http2_read_idle_timeout_seconds, k.http2_ping_timeout_seconds)
        disable = group.variables.get(ROLE_DISABLE)
        apply_disables = disable is not None and _truthy(disable)
        apply_only = role_only(group) or apply_disables
        runs = (
            (
                knowledge.default_for(READ_IDLE, ctx.version),
                knowledge.default_for(PING, ctx.version),
            )
            if apply_only
            else intended
        )
        yield from _judge(ctx, group, grace, runs, intended if apply_only else None, apply_disables)


def _judge(
    ctx: LintContext,
    group: HostTiming,
    grace: int,
    runs: tuple[int, int],
    applied: tuple[int, int] | None,
    apply_disables: bool,
) -> Iterator[Finding]:
    read_src, ping_src = group.source(READ_IDLE), group.source(PING)
    where = (
        read_src
        if read_src.kind == NODE_TIMING_VAR or ping_src.kind != NODE_TIMING_VAR
        else ping_src
    )
    without = (
        f" without {ROLE_APPLY} (kubespray cannot set the kubelet's environment)" if applied else ""
    )
    if applied is not None and not apply_disables and applied[0] == 0:
        yield ctx.finding(
            HEALTH_CHECK_OFF,
            f"{read_src.name}: 0 would turn the kubelet's HTTP/2 connection health check off once "
            f"{ROLE_APPLY} deploys it: a silently dead apiserver connection then lingers until TCP "
            "gives up (minutes of failed heartbeats, the node marked NotReady). Use a read-idle "
            "timeout above 0 (default 30)",
            read_src,
            group.hosts,
            severity="error",
        )
    if runs[0] == 0:
        yield ctx.finding(
            HEALTH_CHECK_OFF,
            "HTTP2_READ_IDLE_TIMEOUT_SECONDS=0 turns the kubelet's HTTP/2 connection health check "
            "off: a silently dead apiserver connection lingers until TCP gives up (minutes of "
            "failed heartbeats, the node marked NotReady). Remove it or set a read-idle timeout "
            "above 0 (default 30), or set DISABLE_HTTP2 so the kubelet closes its connections "
            "when a heartbeat fails",
            read_src,
            group.hosts,
            severity="error",
        )
        return
    total = (runs[0] + ping_seconds(runs[1])) * durations.SECOND
    after = _after_apply(grace, applied, apply_disables)
    if grace > total and (after is None or after[0]):
        return
    if grace > total and after is not None:  # what runs passes; what the apply deploys not
        message = (
            f"grace {secs(grace)} would not be longer than the HTTP/2 timeouts {ROLE_APPLY} "
            f"deploys: {after[1]}: a silently dropped apiserver connection would mark nodes "
            f"NotReady. Raise kube_controller_node_monitor_grace_period or lower the role's values"
        )
        yield ctx.finding(ID, message, where, group.hosts)
        return
    message = (
        f"grace {secs(grace)} is not longer than the kubelet's HTTP/2 read-idle {runs[0]}s + "
        f"ping {ping_seconds(runs[1])}s{' (0 means 15s)' if runs[1] == 0 else ''} = {secs(total)}"
        f"{without}: a silently dropped apiserver connection marks nodes NotReady. Raise "
        f"kube_controller_node_monitor_grace_period above {secs(total)} or lower "
        "HTTP2_READ_IDLE_TIMEOUT_SECONDS / HTTP2_PING_TIMEOUT_SECONDS on the kubelets"
        + (
            f" (node_timing_http2_read_idle_timeout_seconds / _ping_timeout_seconds, with {ROLE_APPLY})"
            if ctx.inventory is not None and after is None
            else ""
        )
    )
    if after is not None:
        verdict = "which would pass" if after[0] else "still not longer than the grace period"
        message += f"; {ROLE_APPLY} would deploy {after[1]}, {verdict}"
    yield ctx.finding(ID, message, ctx.cluster.source(GRACE), group.hosts)


def _after_apply(
    grace: int, applied: tuple[int, int] | None, disables: bool
) -> tuple[bool, str] | None:
    """Whether the values the role's apply deploys pass, and how to say them (None: no apply)."""
    if applied is None:
        return None
    if disables:
        return True, "DISABLE_HTTP2 (the kubelet closes its connections when a heartbeat fails)"
    if applied[0] == 0:
        return True, "a read-idle timeout of 0 (reported on its own)"
    total = (applied[0] + ping_seconds(applied[1])) * durations.SECOND
    ping = f"{applied[1]}s" if applied[1] > 0 else f"0 (counts as {_PING_ZERO_MEANS}s)"
    return grace > total, f"read-idle {applied[0]}s + ping {ping} = {secs(total)}"
