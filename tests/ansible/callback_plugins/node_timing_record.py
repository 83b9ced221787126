"""Test-only callback: records every task result and the final stats as JSON (ansible-core has no
json callback; ansible.posix does). Writes to the file named by NODE_TIMING_RECORD."""

from __future__ import annotations

import json
import os
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: node_timing_record
type: aggregate
short_description: record task results as JSON for the tests
description: [Records every task result and the final stats as JSON.]
requirements: [enable in configuration]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "node_timing_record"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.plays: list[dict[str, Any]] = []

    def v2_playbook_on_play_start(self, play: Any) -> None:
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task: Any, is_conditional: bool = False) -> None:
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    def v2_playbook_on_handler_task_start(self, task: Any) -> None:
        self.v2_playbook_on_task_start(task)

    def _record(self, result: Any, **status: Any) -> None:
        data = getattr(result, "result", None)
        if not isinstance(data, dict):
            data = result._result
        host = result._host.get_name() if hasattr(result, "_host") else result.host.get_name()
        entry = dict(data)
        entry.update(status)
        task_name = result._task.get_name() if hasattr(result, "_task") else result.task.get_name()
        tasks = self.plays[-1]["tasks"]
        if not tasks or tasks[-1]["task"]["name"] != task_name:
            tasks.append({"task": {"name": task_name}, "hosts": {}})
        tasks[-1]["hosts"][host] = entry

    def v2_runner_on_ok(self, result: Any, **kwargs: Any) -> None:
        self._record(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats: Any) -> None:
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        path = os.environ.get("NODE_TIMING_RECORD")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"plays": self.plays, "stats": summary}, handle, default=str)
