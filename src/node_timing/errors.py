"""Exit codes (ansible-lint's, plus 1 for an internal error) and the error type the CLI turns into one line and exit 3."""

from __future__ import annotations

EXIT_OK = 0
# A bug in node-timing itself (what Python exits with on an uncaught exception); ansible-lint
# gives 1 no meaning either. Only cli.main's last-resort handler returns it.
EXIT_INTERNAL = 1
EXIT_FAILURES = 2
EXIT_USAGE = 3
EXIT_NOTHING = 5
EXIT_FIXED = 8


class UsageError(Exception):
    """A usage or configuration error: printed as one line, exit code 3."""

    exit_code = EXIT_USAGE
