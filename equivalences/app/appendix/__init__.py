"""A LaTeX appendix generated from the engine's own objects: ``verify appendix -o appendix.tex``.

Every formula is printed from the declaration, the derived map, the proof and
the claim checks -- nothing is typed by hand -- and every ``=`` of a displayed
derivation is a step :mod:`equivalences.chains` had the engine check.
Per method: the update rule as published, the change of variables, the
derivation (induction step), the resulting ``(beta_a, eta_a, alpha_a)``, the
initial state (base case), the degenerate cases, and the paper's printed
statements, each marked as holding or failing, with an erratum (residual and
proved correction) for every failure.

``fragment=True`` gives a body for ``\\input`` into a paper (needs only
``amsmath`` and ``amssymb``, and fits a plain ``article`` with no overfull
box: :data:`WIDTH`); otherwise a standalone document.  Sentences of the
engine are set by :mod:`equivalences.prose_tex` (formulas as math).  The output is
deterministic: no dates, methods in registry order.  This module is symbolic
only and never imports torch.
"""

from __future__ import annotations

from .width import CONTINUED, WIDTH, tex_width
from .printer import AppendixPrinter, LayoutCheck, Tex, tex_text
from .rows import chain_rows, chain_tex
from .claim_steps import TAG
from .section import TITLE, method_tex
from .document import COMMAND, HEADER, INTRO, MACROS, PREAMBLE, generate, write
