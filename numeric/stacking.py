"""Negative controls stacked beside the map along the configuration axis.

A replay steps the map's accelerated form and each control (a deliberately wrong map) on the same method
trajectory.  Stepped one after another, every control costs as many small tensor operations per step as the map
itself.  A control whose form has the map's layout -- the same buffers, terms, transforms and weight average,
only other coefficient values -- is instead run as more configurations of one form: block ``g`` of the batch
holds control ``g`` (block 0 the map), the method and its tables repeated in every block.  The method's
trajectory is the same in every block (every configuration starts at the same point and sees the same noise
sample, :mod:`numeric.problems`), so a control is judged on the trajectory it was judged on before, with the
same operations applied to its own configurations.
"""
from __future__ import annotations

import copy

import numpy as np

from .forms import AcceleratedForm, Coefficients, MethodForm


def _shape(comb) -> tuple:
    terms, iu = comb
    return tuple(j for j, _ in terms), iu is not None


def layout(form: AcceleratedForm) -> tuple:
    """What a form computes apart from its coefficient values: two forms with the same layout differ only in
    their tables (and their start multiples)."""
    return (tuple(_shape(r) for r in form.recursions), _shape(form.direction),
            None if form._momentum is None else _shape(form._momentum), form.K is not None,
            form.gamma_next is not None, form._avg_init is not None, len(form._m_start), form.pre, form.post,
            form.jumps, form.n, tuple(form.transforms.names), tuple(form.transforms.kinds))


def stackable(acc: AcceleratedForm, controls: list) -> list[int]:
    """The positions in ``controls`` of the forms that can run as blocks beside ``acc``."""
    mine = layout(acc)
    return [i for i, f in enumerate(controls) if isinstance(f, AcceleratedForm) and layout(f) == mine]


def stack(ours: MethodForm | None, acc: AcceleratedForm, controls: list, coeffs: Coefficients, batch: int):
    """``(ours, acc, coefficients)`` for ``G = 1 + len(controls)`` blocks of ``batch`` configurations: every table
    repeated in each block (the method's, the transforms'), and the accelerated form's coefficients block by block
    (the map's in block 0, control ``g``'s in block ``g``).  ``ours`` None (a library optimizer is the method):
    None back."""
    forms = [acc, *controls]
    G = len(forms)
    out = Coefficients()
    out.tables = [np.tile(table, (1, G)) for table in coeffs.tables]
    joined: dict = {}

    def slot(indices):
        if indices[0] is None:
            return None
        key = tuple(indices)
        if key not in joined:
            joined[key] = out.add(np.concatenate([coeffs.tables[i] for i in key], axis=1))
        return joined[key]

    def comb(parts):  # the same combination (terms (j, table), u's table) of each form, one table per term
        terms = parts[0][0]
        return (tuple((j, slot([p[0][k][1] for p in parts])) for k, (j, _) in enumerate(terms)),
                slot([p[1] for p in parts]))

    merged = copy.copy(acc)
    merged.recursions = tuple(comb([f.recursions[b] for f in forms]) for b in range(len(acc.recursions)))
    merged.direction = comb([f.direction for f in forms])
    merged._momentum = None if acc._momentum is None else comb([f._momentum for f in forms])
    merged.K = slot([f.K for f in forms])
    merged.gamma_next = slot([f.gamma_next for f in forms])
    merged._m_start = [np.concatenate([np.broadcast_to(np.asarray(f._m_start[b], dtype=np.float64), (batch,))
                                       for f in forms]) for b in range(len(acc._m_start))]
    if acc._avg_init is not None:
        merged._avg_init = np.concatenate([np.broadcast_to(np.asarray(f._avg_init, dtype=np.float64), (batch,))
                                           for f in forms])
    merged.index = {}
    for name in acc.index:
        merged.index[name] = slot([f.index.get(name) for f in forms]) if all(name in f.index for f in forms) else None
    if ours is None:
        return None, merged, out
    method = copy.copy(ours)
    init = np.asarray(ours._init, dtype=np.float64)
    method._init = np.tile(np.broadcast_to(init, (init.shape[0], batch)), (1, G))
    return method, merged, out
