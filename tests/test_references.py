"""Every document the code, tests and data refer to is in the repository: a person who clones it
can follow each reference."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("src", "tests", "plugins", "roles", "benchmarks", "examples")
SUFFIXES = {".py", ".yml", ".yaml", ".json", ".md", ".j2", ".cfg", ".toml"}
# a reference to project documentation: a design or facts note, or a page under docs/ (file
# names in test data, such as a user's notes.md, are data, not references)
REFERENCE = re.compile(r"(?<![\w/.-])((?:docs/[\w/.-]+|[A-Z][A-Z_-]*)\.md)\b")


def _files() -> list[Path]:
    found = [ROOT / "README.md", ROOT / "BENCHMARKS.md", ROOT / "galaxy.yml"]
    for top in SCANNED:
        found.extend(
            p
            for p in (ROOT / top).rglob("*")
            if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts
        )
    return found


def test_every_referenced_document_exists() -> None:
    missing = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in REFERENCE.finditer(text):
            name = match.group(1)
            candidates = [ROOT / name, path.parent / name]
            if path == Path(__file__).resolve():
                continue
            if not any(c.exists() for c in candidates) and not _is_data_name(path):
                line = text.count("\n", 0, match.start()) + 1
                missing.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert not missing, "\n".join(missing)


def _is_data_name(path: Path) -> bool:
    """Test fixtures stand for a user's inventory: their comments name the user's documents."""
    return "fixtures" in path.relative_to(ROOT).parts
