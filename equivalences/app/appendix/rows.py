"""``align*`` rows: equations broken to fit beside their tags, and the proof chains."""
from __future__ import annotations

from ...chains import Chain
from .printer import Tex
from .width import CONTINUED, WIDTH, tex_width


def _rows_align(tex: Tex, rows: list[tuple]) -> str:
    """An ``align*`` of ``(lhs, rhs, tag)`` rows, each right side broken to fit beside the widest left side."""
    left = max((tex_width(lhs) for lhs, _, _ in rows), default=0)
    return _align([r for lhs, rhs, tag in rows for r in _equation_rows(tex, lhs, rhs, tag, left)])


def _align(lines: list[str]) -> str:
    return "\\begin{align*}\n" + "\\\\\n".join(lines) + "\n\\end{align*}\n"


def _tag(text: str) -> str:
    return f"\\tag*{{\\footnotesize {text}}}" if text else "\\notag"


def _equation_rows(tex: Tex, lhs: str, rhs, tag: str, left: float | None = None) -> list[str]:
    """``lhs &= rhs`` rows of an ``align*``, the right side broken when long, the tag on the first row.

    ``left`` is the width of the align's widest left side (the column all rows share; default: this one)."""
    left = tex_width(lhs) if left is None else max(left, tex_width(lhs))
    body = tex.lines(rhs, WIDTH - left - 2 - CONTINUED)
    rows = [f"{lhs} &= {body[0]} {tag}"]
    rows += [f"&\\qquad {b}" for b in body[1:]]
    return rows


def chain_rows(chain: Chain, tex: Tex, left: float | None = None) -> list[str]:
    """The chain as ``align*`` rows: the left side, then one ``&= ...`` per checked step, with its reason."""
    rows = []
    for i, st in enumerate(chain.steps):
        head = tex(chain.lhs) if i == 0 else ""
        rows += _equation_rows(tex, head, st.expr, _tag(tex.parts(st.reason)), left if left else tex_width(tex(chain.lhs)))
    return rows


def chain_tex(*chains: Chain, tex: Tex) -> str:
    """One ``align*`` holding the chains, a little space between them."""
    chains = [c for c in chains if c.steps]
    left = max((tex_width(tex(c.lhs)) for c in chains), default=0)
    blocks = ["\\\\\n".join(chain_rows(c, tex, left)) for c in chains]
    return "\\begin{align*}\n" + "\\\\[1.5ex]\n".join(blocks) + "\n\\end{align*}\n"
