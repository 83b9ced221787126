"""ansible-lint's production profile passes on the role and the example playbooks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from playbook_runner import REPO, ansible_bin


def test_ansible_lint_production_profile(tmp_path: Path) -> None:
    lint = ansible_bin() / "ansible-lint"
    assert lint.exists(), (
        f"ansible-lint is not installed next to {ansible_bin()}; pip install ansible-lint"
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_") and k != "PYTHONPATH"
    }
    env.update(
        {
            "PATH": f"{ansible_bin()}:{env.get('PATH', '')}",
            "ANSIBLE_COLLECTIONS_PATH": f"{REPO / 'tests/ansible/lint_mocks'}:{REPO / 'collections'}",
            "ANSIBLE_HOME": str(tmp_path / ".ansible"),
            "NO_COLOR": "1",
        }
    )
    proc = subprocess.run(
        [str(lint), "--profile", "production", "roles/node_timing", "examples/playbooks"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "it passed" in proc.stdout + proc.stderr
