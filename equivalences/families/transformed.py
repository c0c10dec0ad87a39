"""A method with transforms (a preconditioner before, a sign or a preconditioner after) in the families beyond
Eq. (1), read through its *linear part*.

The families hold linear methods.  A method whose query point moves by ``-K_t Post_t(D_t)`` (Lion, a signed AggMo)
and whose gradients may be preconditioned first (``u_t = Pre_t(g_t)``) has a linear part: the same declaration
with ``u_t`` as its input and ``Post_t(D_t)`` replaced by ``D_t``, so that its query point moves by ``-K_t D_t``.
When no state that feeds ``D_t`` reads the transform's output (its buffers see the inputs only), ``D_t`` is the
same function of the inputs ``u_1, ..., u_t`` in the method and in its linear part, whatever the transforms do.
So if a family's member ``M`` is proved to move its query point as the linear part does (``-K_t D_t``, for every
input sequence), then ``M`` with ``Post_t(./K_t)`` applied to its move, fed ``Pre_t(g_t)``, steps as the method
does: the method lies in that family with the same transforms around it (``K_t != 0``).  The family's map and
its proof are the linear part's; the composition is this argument, checked on the declaration (the feed-back
test below).  SymPy only.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import is_transform_application
from ..declare import Method
from ..derive import NotInFamily, direction_of
from ..symbols import t
from ..system import DeclarationError, StepSystem


@dataclass(frozen=True)
class LinearPart:
    method: Method
    """The declaration with the transforms taken out (a linear method, when the rest of it is)."""
    K: sp.Expr
    """The scalar in front of the post transform (1 without one)."""
    words: str
    """The transforms taken out, in words: ``sign(...) after (K_t = eta(t))``."""


def linear_part(method: Method) -> LinearPart | str:
    """The linear part of ``method`` (see the module docstring), or why it has none (a sentence)."""
    if not method.transforms:
        return f"{method.key} applies no transform"
    try:
        system = StepSystem(method)
        K, D, post = direction_of(method, system)
    except (NotInFamily, DeclarationError) as err:
        return f"its query point does not move by one transformed direction ({err})"
    fed = _fed_back(method, system)
    read = sorted({a.func.__name__ for a in sp.sympify(D).atoms(AppliedUndef)} & fed)
    if read:
        return (f"the direction inside {post.name}(...) reads {', '.join(read)}, which the transform's output "
                "reaches: the direction is no function of the inputs alone")
    K = sp.sympify(K)
    if post is not None and sp.simplify(K) == 0:
        return f"the scalar in front of {post.name}(...) is 0"
    parts = []
    if method.pre is not None:
        parts.append(f"{method.pre.name}(...) before (on the gradient)")
    if post is not None:
        parts.append(f"{post.name}(...) after (on the direction, times K_t = {sp.sstr(K)})")
    posts = {p.name for p in method.posts}

    def strip(e):
        return sp.sympify(e).replace(lambda a: is_transform_application(a) and a.func.__name__ in posts,
                                     lambda a: a.args[-1])

    lin = replace(method, key=f"{method.key}:linear", pre=None, posts=(),
                  updates=tuple(sp.Eq(u.lhs, strip(u.rhs)) for u in method.updates),
                  define={f: strip(v) for f, v in method.define.items()}, claims=())
    return LinearPart(lin, K, " and ".join(parts))


def _fed_back(method: Method, system: StepSystem) -> set:
    """The names of the states that a transform's output reaches: those whose step applies a post transform, then
    every state whose step reads one of them (to a fixed point)."""
    steps = {s.__name__: system.reduce(s(t + 1), base=0) for s in system.state}
    fed = {n for n, e in steps.items() if any(is_transform_application(a) for a in sp.sympify(e).atoms(AppliedUndef))}
    while True:
        more = {n for n, e in steps.items() if n not in fed
                and {a.func.__name__ for a in sp.sympify(e).atoms(AppliedUndef)} & fed}
        if not more:
            return fed
        fed |= more
