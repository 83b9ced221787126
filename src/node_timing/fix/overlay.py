"""The files ``fix`` has edited so far, held in memory: the overlay the loader reads through.

Nothing is copied and nothing is written while fixing: each pass loads the inventory through
``Edits.new`` (``load_inventory(overlay=...)``), so a repair is checked by linting the edited
text before any file changes on disk (``writeback.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from node_timing.render.write import read_regular


@dataclass
class FileChange:
    path: str  # the real path of the file changed (a symlink inside the root is resolved)
    old: bytes | None  # None: a new file
    new: bytes
    rules: set[str] = field(default_factory=set)


class Edits:
    """The files fix has edited so far, in memory, keyed by real path: the loader's overlay."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.new: dict[str, bytes] = {}  # the overlay: edited (or created) files
        self.old: dict[str, bytes | None] = {}  # as read from disk; None: no such file
        self.rules: dict[str, set[str]] = {}

    def read(self, real: str) -> bytes | None:
        """The file's current bytes: edited ones, else read once from disk (None: absent)."""
        if real in self.new:
            return self.new[real]
        if real not in self.old:
            self.old[real] = read_regular(real)
        return self.old[real]

    def changes(self) -> list[FileChange]:
        return sorted(
            (
                FileChange(path, self.old.get(path), data, self.rules.get(path, set()))
                for path, data in self.new.items()
                if data != self.old.get(path)
            ),
            key=lambda c: c.path,
        )
