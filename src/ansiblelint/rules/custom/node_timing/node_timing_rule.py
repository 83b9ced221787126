"""The ``node-timing`` rule: node-timing's inventory checks as ansible-lint findings.

ansible-lint imports this file by its name (``node_timing_rule``) from its ``rules/custom/``
directory; the class must be defined here, where ansible-lint looks for it. Everything else is in
``node_timing.ansible_lint``, which does not depend on ansible-lint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ansiblelint.rules import AnsibleLintRule
from node_timing import __version__, rules
from node_timing import ansible_lint as bridge

if TYPE_CHECKING:
    from ansiblelint.errors import MatchError
    from ansiblelint.file_utils import Lintable


class NodeTimingRule(AnsibleLintRule):
    """Kubernetes node-health timing settings must fit together (`node-timing rules` documents each check)."""

    id = bridge.RULE_ID
    description = (
        "node-timing's checks of a kubespray inventory's node-health timing (kubelet "
        "heartbeats, controller-manager grace periods, eviction tolerations), reported on the "
        "file and line of the value that won precedence."
    )
    tags = ["unpredictability"]  # noqa: RUF012 (ansible-lint reads these class attributes)
    severity = "HIGH"
    version_changed = __version__
    link = "https://github.com/kubetiming/node-timing/blob/main/docs/ansible-lint.md"
    # The sub-ids, for `ansible-lint -T` and `-t node-timing[...]`.
    _ids = {  # noqa: RUF012
        **{bridge.tag(r.id): r.summary for r in rules.catalogue()},
        bridge.CONFIG_TAG: ".node-timing.yml cannot be used",
    }

    def __init__(self) -> None:
        super().__init__()
        # One instance per ansible-lint run: each inventory is linted once per run.
        self._evaluations = bridge.Evaluations()

    def matchyaml(self, file: Lintable) -> list[MatchError]:
        options = self.options
        # ansible-lint's project directory, not the working directory: run from a subdirectory,
        # ansible-lint still takes the project from where its configuration file is
        project_dir = getattr(options, "project_dir", None) if options is not None else None
        reports = self._evaluations.reports(file.path, project_dir)
        if not reports:
            return []
        _ = file.data  # loading the data is when ansible-lint reads the file's noqa comments
        if options is not None and bridge.WARNING_TAG not in options.warn_list:
            options.warn_list.append(bridge.WARNING_TAG)
        as_text = options is None or options.format not in bridge.JSON_FORMATS
        matches = []
        for report in reports:
            match = self.create_matcherror(
                message=bridge.markup_safe(report.message) if as_text else report.message,
                lineno=report.line,
                column=report.column,
                filename=file,
                tag=report.tag,
            )
            # match.rule is this rule's copy for the one match: its severity and tags are the
            # finding's own.
            match.rule.severity = report.severity
            if not report.fails:
                match.rule.tags = [*self.tags, bridge.WARNING_TAG]
            matches.append(match)
        return matches
