"""``node-timing fix``: repair an inventory's findings that have one unambiguous repair.

Nothing is copied: each pass loads the inventory through an in-memory overlay of the files edited
so far (``overlay.py``), lints it, plans edits from the fixable findings (``plan.py``, with each
rule's ``repair`` from its rule module), applies them as minimal text edits to the bytes of the
files concerned and checks by parsing the edited text again that it means exactly what was
intended (``apply.py``, with ``node_timing.edits``). Passes repeat until nothing is left to
fix (``engine.py``). Only then are the changed files written (``writeback.py``), each atomically,
inside the project root, and only if it has not changed on disk since it was read.
"""

from node_timing.fix.engine import FixResult, run_fix
from node_timing.fix.overlay import FileChange
from node_timing.fix.writeback import WriteReport, write_back

__all__ = ["FileChange", "FixResult", "WriteReport", "run_fix", "write_back"]
