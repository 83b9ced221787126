"""Command line: parses arguments and hands each subcommand to its module in ``commands/``.

Subcommand modules are imported only when used, so ``node-timing profile`` starts without loading
the linter or Ansible.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
from collections.abc import Sequence

from node_timing import __version__
from node_timing.errors import EXIT_INTERNAL, EXIT_USAGE, UsageError

# name → (module under node_timing.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "profile": ("profile", "compute the settings and figures of a profile"),
    "lint": ("lint", "check an inventory's timing settings"),
    "render": ("render", "write kubelet, control-plane and kubespray files"),
    "fix": ("fix", "repair an inventory in place"),
    "explain": ("explain", "explain an inventory's timing, group by group"),
    "rules": ("rules", "list the rules, or print one rule's documentation"),
    "simulate": ("simulate", "simulate an outage: detection, taints, evictions over time"),
    "verify": ("verify", "compare files collected from the nodes with the inventory"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` the parser of that one subcommand's command line.

    ``only`` keeps start-up to what the command needs: the other commands' modules (and what
    they import) are not loaded when the first argument already names the command.
    """
    parser = _Parser(
        prog="node-timing",
        description="Consistent node-health timing for Kubernetes: compute, check, render.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in SUBCOMMANDS.items():
        if only is not None and name != only:
            continue
        try:
            mod = importlib.import_module(f"node_timing.commands.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"node_timing.commands.{module}":
                raise
            if only is not None:  # not in this build: the full parser says which commands are
                return build_parser()
            continue
        p = sub.add_parser(
            name,
            help=help_text,
            description=textwrap.fill(getattr(mod, "DESCRIPTION", help_text), 79),
            epilog=getattr(mod, "EXAMPLES", None),
            # keep the examples' lines as written
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        if argv is None:
            argv = sys.argv[1:]
        parser = build_parser(argv[0] if argv and argv[0] in SUBCOMMANDS else None)
        args = parser.parse_args(argv)
        if not getattr(args, "_run", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        _check_working_directory()
        code: int = args._run(args)
        return code
    except UsageError as exc:
        from node_timing.display import printable

        print(f"node-timing: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # pragma: no cover - `node-timing ... | head`
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except Exception as exc:  # MemoryError and RecursionError included
        if _interrupted(exc):  # Ctrl-C inside a class body: Python wraps it in a RuntimeError
            return 130
        # Last resort: bad input must give a finding or a one-line error; reaching this is a bug.
        # One line, never a traceback (NODE_TIMING_DEBUG=1 re-raises for a developer).
        import os

        from node_timing.display import printable

        if os.environ.get("NODE_TIMING_DEBUG"):
            raise
        msg = printable(" ".join(str(exc).split())[:500])
        print(
            f"node-timing: internal error: {type(exc).__name__}: {msg} (please report)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _interrupted(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is behind ``exc``: a signal that lands while a dataclass is
    being created (a lazy import) surfaces as the RuntimeError of ``__set_name__``."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _check_working_directory() -> None:
    """Relative paths, the config search and the output's paths all need the working directory:
    when it was removed (a shell left in a deleted directory) say so once, up front."""
    import os

    try:
        os.getcwd()
    except OSError as exc:
        raise UsageError(
            f"the working directory is gone ({exc.strerror or exc}); run node-timing from an "
            "existing directory"
        ) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
