"""``verify appendix -o FILE.tex``: a LaTeX appendix generated from the proofs."""
from __future__ import annotations

import sys


def configure(p) -> None:
    p.add_argument("names", nargs="*", metavar="NAME", help="methods to include (default: all)")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="the .tex file to write")
    p.add_argument("--fragment", action="store_true", help="no preamble: for \\input into a paper")
    p.add_argument("--figures", metavar="DIR", help="also write each method's replay plot to DIR/NAME.pdf "
                   "and include it (needs torch and matplotlib)")


def run(args) -> int:
    from ... import registry
    from ..appendix import write

    for name in args.names:
        registry.get(name)  # unknown names fail before any work
    path = write(args.output, [registry.get(n).key for n in args.names] or None, fragment=args.fragment,
                 figures=args.figures)
    print(f"verify: wrote {path}", file=sys.stderr)
    return 0
