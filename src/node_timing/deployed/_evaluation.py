"""The evaluation's names this package uses, imported in this one place.

The linter's evaluation (effective settings per host, the rules' context, the rule runner) is
where every deployed value ends up; keeping the imports here makes a move of those modules a
change to this file only.
"""

from __future__ import annotations

from node_timing.effective import EXTRA_ARG as EXTRA_ARG
from node_timing.effective import K8S_DEFAULT as K8S_DEFAULT
from node_timing.effective import HostTiming as HostTiming
from node_timing.effective import Source as Source
from node_timing.effective import format_problem as format_problem
from node_timing.lint import LintContext as LintContext
from node_timing.lint import Options as Options
from node_timing.lint import _sizing as sizing
from node_timing.lint import _version_of as build_version
from node_timing.lint import build_context as build_context
from node_timing.lint import run_rules as run_rules

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
    "run_rules",
    "sizing",
]
