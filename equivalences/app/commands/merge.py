"""``verify merge A.json B.json ...``: join the JSON of census shards (or single identify results) into one list."""
from __future__ import annotations

import argparse
import json

from . import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE.json", help="outputs of verify identify ... --json")
    parser.add_argument("--table", action="store_true", help="print the census table instead of JSON")


def run(args) -> int:
    from numeric.identify.census import merge

    parts = []
    for path in args.files:
        try:
            with open(path, encoding="utf-8") as f:
                parts.append(json.load(f))
        except OSError as err:
            return _fail(f"{path}: cannot read it ({err.strerror}); check the path")
        except ValueError as err:
            return _fail(f"{path}: not JSON ({err}); give the output of verify identify ... --json")
    try:
        entries = merge(parts)
    except ValueError as err:
        return _fail(f"{err}; give outputs of verify identify ... --json")
    from ..output import emit
    from .identify import Census

    emit(Census(entries, "merged"), "text" if args.table else "json")
    return 0


def _fail(msg: str) -> int:
    raise UsageError(msg)
