"""What an evaluation is asked for and what it starts from: the options (command line or
``.node-timing.yml``), the Kubernetes version, the kubespray release and the cluster's size.

Shared by the inventory's context (``evaluate.context``) and a node's own files
(``deployed/``), so both choose the version, the release and the node count the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from node_timing import knowledge
from node_timing.display import brief
from node_timing.errors import UsageError
from node_timing.evaluate.sources import plain, value_location
from node_timing.findings import Location
from node_timing.knowledge import KubeVersion
from node_timing.releases import (
    Release,
    default_kube_version,
    detect_release,
    guessed,
    kube_version_problem,
    parse_release,
)
from node_timing.templating import Unresolved, is_templated, resolve
from node_timing.thresholds import Thresholds

if TYPE_CHECKING:
    from node_timing.config import LintConfig


@dataclass(frozen=True)
class VersionProblem:
    """Why ``kube_version`` could not be used: ``invalid`` (the `kube-version` rule reports it) or
    ``unresolved`` (a template; the `unresolved-value` rule reports it)."""

    kind: Literal["invalid", "unresolved"]
    message: str
    location: Location
    noqa: frozenset[str] = frozenset()
    # a version outside the facts: the checks that depend on the version are not run
    outside: bool = False


@dataclass(frozen=True)
class ReleaseProblem:
    """A ``kube_version`` the kubespray release does not deploy (the `kube-version` rule reports
    it): an error when the release is known, a warning when it was guessed."""

    release: Release
    message: str
    location: Location
    noqa: frozenset[str] = frozenset()


@dataclass
class Options:
    kube_version: str | None = None
    # The kubespray release (2.31, v2.31.0, master) and where it was set, for the finding's reason.
    kubespray_version: str | None = None
    kubespray_version_from: str = "--kubespray-version"
    nodes: int | None = None
    heartbeat_budget: float | None = None
    # Read sources that run code (inventory scripts, plugin configs) through ansible-core.
    allow_exec: bool = False
    # ``-e``/``--extra-vars`` arguments as given, read with the inventory, above all its variables
    extra_vars: tuple[str, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)  # .node-timing.yml's, or defaults

    @classmethod
    def from_config(
        cls,
        config: LintConfig,
        *,
        kube_version: str | None = None,
        nodes: int | None = None,
        heartbeat_budget: float | None = None,
        allow_exec: bool = False,
        kubespray_version: str | None = None,
        extra_vars: tuple[str, ...] = (),
    ) -> Options:
        """The command line's values over ``.node-timing.yml``'s, as every command reads them; a
        Kubernetes version node-timing cannot use is a usage error naming where it was set."""
        from node_timing.config import release_option

        release, release_from = release_option(kubespray_version, config)
        version = kube_version or config.kube_version
        if version is not None:  # a version the user named and node-timing cannot use: say so
            try:
                knowledge.resolve_version(version)
            except knowledge.KnowledgeError as exc:
                where = "--kube-version" if kube_version else f"kube_version in {config.path}"
                raise UsageError(f"{where}: {exc}") from None
        return cls(
            kube_version=version,
            kubespray_version=release,
            kubespray_version_from=release_from,
            nodes=nodes if nodes is not None else config.nodes,
            heartbeat_budget=heartbeat_budget or config.heartbeat_budget,
            allow_exec=allow_exec or config.allow_exec,
            extra_vars=extra_vars,
            thresholds=config.thresholds,
        )


def version_of(
    cluster_vars: Mapping[str, Any],
    options: Options,
    default_location: Location,
    release: Release | None = None,
) -> tuple[KubeVersion, Location | None, VersionProblem | None]:
    """The Kubernetes version to judge by: the option's, else the inventory's ``kube_version``,
    else the one ``release`` deploys by default. Without a release (the Ansible filters, which
    see no checkout) that is the newest release's default, as ``lint`` assumes when it finds
    none, so both judge an inventory without ``kube_version`` by the same version."""
    if options.kube_version is not None:
        return knowledge.resolve_version(options.kube_version), None, None
    # what kubespray deploys when kube_version is unset, and what is checked when it is unusable
    default = KubeVersion.parse(
        default_kube_version(release or guessed("no kubespray release given"))
    )
    v = cluster_vars.get("kube_version")
    if v is None:
        return default, None, None
    raw = plain(v)
    location = value_location(v, default_location)
    noqa = frozenset(getattr(v, "noqa", None) or ())
    if is_templated(raw):
        resolved = resolve(raw, {k: plain(x) for k, x in cluster_vars.items()})
        if isinstance(resolved, Unresolved):
            message = f"kube_version {brief(raw)} cannot be resolved ({resolved.reason}); checking against Kubernetes {default}"
            return default, location, VersionProblem("unresolved", message, location, noqa)
        raw = resolved
    first, last = knowledge.known_range()
    try:
        version = knowledge.KubeVersion.parse(raw)
    except knowledge.KnowledgeError as exc:
        message = (
            f"{exc}; node-timing knows Kubernetes {first.minor_text} to {last.minor_text}, so the "
            f"version-dependent checks use {default}"
        )
        return default, location, VersionProblem("invalid", message, location, noqa)
    if not first.key() <= version.key() <= last.key():
        # never another version's facts for this one: its defaults, flags and limits are unknown
        side = "older" if version.key() < first.key() else "newer"
        message = (
            f"{version.minor_text} is {side} than the facts node-timing has "
            f"({first.minor_text}\u2013{last.minor_text}): checks that depend on the version "
            "are skipped"
        )
        return (
            default,
            location,
            VersionProblem("invalid", message, location, noqa, outside=True),
        )
    return version, location, None


def version_reason(
    options: Options, has_kube_version: bool, release: Release | None, usable: bool = True
) -> str:
    """Why the evaluation uses the version it uses, in words for ``explain``."""
    if options.kube_version is not None:
        return "set with --kube-version or kube_version in .node-timing.yml"
    if has_kube_version and usable:
        return "the inventory's kube_version"
    unset = (
        "the inventory sets no kube_version"
        if not has_kube_version
        else "the inventory's kube_version cannot be used (lint says why)"
    )
    if release is None or release.how == "guessed":
        name = release.label if release is not None else "the newest kubespray"
        return (
            f"the default of {name}, the newest release node-timing knows (no release was "
            f"found; set --kubespray-version); {unset}"
        )
    return f"{release.label}'s default; {unset}"


def choose_release(options: Options, inventory_path: str) -> Release:
    """The release from the options, else from the checkout holding the inventory (or guessed).
    A release the options name that node-timing does not know is a usage error."""
    if options.kubespray_version is None:
        return detect_release(inventory_path)
    try:
        return parse_release(options.kubespray_version, options.kubespray_version_from)
    except knowledge.KnowledgeError as exc:
        raise UsageError(str(exc)) from None


def release_problem_of(
    cluster_vars: Mapping[str, Any], release: Release, default_location: Location
) -> ReleaseProblem | None:
    """The inventory's own ``kube_version`` held against what ``release`` deploys. Unset means
    kubespray's default (always deployable); a template is resolved first and skipped when it
    cannot be (`unresolved-value` reports that)."""
    v = cluster_vars.get("kube_version")
    if v is None:
        return None
    raw = plain(v)
    if is_templated(raw):
        raw = resolve(raw, {k: plain(x) for k, x in cluster_vars.items()})
        if isinstance(raw, Unresolved):
            return None
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        return None  # not a version at all: the version check reports it
    message = kube_version_problem(release, raw)
    if message is None:
        return None
    noqa = frozenset(getattr(v, "noqa", None) or ())
    location = value_location(v, default_location)
    return ReleaseProblem(release, f"{message} ({release.why})", location, noqa)


def sizing(variables: Mapping[str, Any], options: Options, host_count: int) -> tuple[int, float]:
    """Node count and heartbeat budget: the options, else the role's variables when they are valid
    (`value-type` reports them when not), else the host count and the knowledge default."""
    from node_timing.profiles import budget_problem, node_count_problem

    # The options come from the command line or .node-timing.yml: a bad one is a usage error. The
    # variables are the inventory's: `value-type` reports a bad one and the default is used.
    problem = options.nodes is not None and node_count_problem(options.nodes)
    problem = problem or (
        options.heartbeat_budget is not None and budget_problem(options.heartbeat_budget)
    )
    if problem:
        raise UsageError(problem)
    nodes = options.nodes
    if nodes is None:
        raw = plain(variables.get("node_timing_node_count"))
        nodes = raw if node_count_problem(raw) is None else host_count
    budget = options.heartbeat_budget
    if budget is None:
        raw_budget = plain(variables.get("node_timing_heartbeat_budget"))
        budget = (
            float(raw_budget)
            if budget_problem(raw_budget) is None
            else knowledge.default_heartbeat_budget()
        )
    return nodes, budget
