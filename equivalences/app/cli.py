"""``verify``: prove and replay the equivalences from the command line.

``verify COMMAND ...`` with the commands of :mod:`equivalences.app.commands`; ``verify NAME`` is short
for ``verify check NAME``.  Exit codes: 0 every derived equivalence proved and confirmed numerically
(and, with ``--strict-paper``, every printed claim holds); 1 something failed; 2 usage error.  Errors
are one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys

from .. import registry
from .commands import COMMANDS, HELPS, UsageError, load


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        sys.exit(2)


def _parser(command: str) -> argparse.ArgumentParser:
    p = _Parser(
        prog="verify",
        description="Prove that a momentum optimizer is an instance of accelerated SGD (Eq. (1)), "
        "check the paper's printed derivation, and confirm it on a replayed trajectory. "
        "'verify NAME' is short for 'verify check NAME'.",
        epilog="examples: verify list | verify schedule-free | verify all --json | verify libraries",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        sp = sub.add_parser(name, help=HELPS[name], description=HELPS[name])
        if name == command:  # only the command that runs needs its arguments (and its module)
            load(name).configure(sp)
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] not in ([c] for c in COMMANDS) and argv[:1] not in (["-h"], ["--help"]):
        argv = ["check", *argv]  # verify NAME ... -> verify check NAME ...
    command = argv[0] if argv and argv[0] in COMMANDS else None
    try:
        args, extra = _parser(command).parse_known_args(argv)
    except SystemExit as e:  # argparse already printed a one-line usage error (or the help)
        return int(e.code or 0)
    if extra:
        name = f"verify {args.command}"
        print(f"verify: error: {extra[0]} does not apply to '{name}' (unrecognized arguments: {' '.join(extra)}; "
              f"see '{name} --help' for what does)", file=sys.stderr)
        return 2
    from ..files import OutputError

    try:
        return load(args.command).run(args)
    except (UsageError, registry.UnknownMethod, registry.BadModule, OutputError) as err:
        msg = str(err.args[0] if err.args else err)
        print(f"verify: error: {msg.replace(chr(10), chr(92) + 'n')}", file=sys.stderr)  # one line, always
        return 2
    except KeyboardInterrupt:
        print("verify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `verify all --json | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:  # noqa: BLE001 -- never a traceback for a user
        if os.environ.get("VERIFY_DEBUG"):
            raise
        print(f"verify: internal error: {type(err).__name__}: {err} (rerun with VERIFY_DEBUG=1 for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
