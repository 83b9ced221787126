"""Puts the Ansible collection into the wheel as ``ansible_collections/kubetiming/node_timing/``.

ansible-core finds collections on ``sys.path``, so ``pip install node-timing`` alone makes the role
and the filters resolvable by FQCN. The collection's files live at the repository root (galaxy.yml,
meta/, plugins/, roles/); they are copied, never linked, into the build tree. All other metadata is
in pyproject.toml.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COLLECTION_DIR = Path("ansible_collections", "kubetiming", "node_timing")
COLLECTION_CONTENT = ("galaxy.yml", "README.md", "LICENSE", "meta", "plugins", "roles")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


def collection_files() -> list[Path]:
    """The collection's files, relative to the repository root."""
    files: list[Path] = []
    for entry in COLLECTION_CONTENT:
        path = ROOT / entry
        if path.is_file():
            files.append(Path(entry))
        elif path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if d not in _SKIP(dirpath, [d]))
                ignored = _SKIP(dirpath, filenames)
                files += [
                    Path(dirpath, f).relative_to(ROOT)
                    for f in sorted(filenames)
                    if f not in ignored
                ]
    return files


class BuildPyWithCollection(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable checkout uses ansible.cfg's collections_path instead
        target = Path(self.build_lib, COLLECTION_DIR)
        for rel in collection_files():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / rel, dest)
            shutil.copymode(ROOT / rel, dest)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [
                str(Path(self.build_lib, COLLECTION_DIR, rel)) for rel in collection_files()
            ]
        return outputs


setup(cmdclass={"build_py": BuildPyWithCollection})
