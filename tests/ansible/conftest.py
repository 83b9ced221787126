"""Integration tests that run real Ansible; see playbook_runner.py for how the Ansible is chosen."""

from __future__ import annotations

from pathlib import Path

import playbook_runner as helpers
import pytest


def pytest_report_header() -> list[str]:
    return [f"ansible: {helpers.ansible_bin()} (python {helpers.ansible_python()})"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ansible" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.ansible)


@pytest.fixture(scope="session")
def project_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's wheel, built once per test process (or the one NODE_TIMING_WHEEL names)."""
    return helpers.build_wheel(tmp_path_factory.mktemp("dist"))
