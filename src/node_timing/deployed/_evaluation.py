"""The evaluation's names this package uses, imported in this one place.

The linter's evaluation (effective settings per host, the rules' context, the rule runner) is
where every deployed value ends up; keeping the imports here makes a move of those modules a
change to this file only.
"""

from __future__ import annotations

from node_timing.evaluate.context import LintContext as LintContext
from node_timing.evaluate.context import build_context as build_context
from node_timing.evaluate.host_timing import HostTiming as HostTiming
from node_timing.evaluate.options import Options as Options
from node_timing.evaluate.options import sizing as sizing
from node_timing.evaluate.options import version_of as build_version
from node_timing.evaluate.sources import EXTRA_ARG as EXTRA_ARG
from node_timing.evaluate.sources import K8S_DEFAULT as K8S_DEFAULT
from node_timing.evaluate.sources import Source as Source
from node_timing.evaluate.sources import format_problem as format_problem

__all__ = [
    "EXTRA_ARG",
    "K8S_DEFAULT",
    "HostTiming",
    "LintContext",
    "Options",
    "Source",
    "build_context",
    "build_version",
    "format_problem",
    "sizing",
]
