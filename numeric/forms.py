"""The two forms of a replay as pure step functions over batched tensors of shape ``(K, D)``.

:class:`MethodForm` runs a declaration in its own variables (its update
equations, solved by :class:`~equivalences.system.StepSystem`);
:class:`AcceleratedForm` runs Eq. (1) with a map.  Every coefficient of both
comes from a ``(T, K)`` table made from the same sympy expressions (so a replay
tests the derivation, not a hand-written copy of it); all tables of a run are
stacked into one ``(T, n, K, 1)`` tensor ``C`` and step ``k`` reads ``C[k]``.
The step functions take and return tensors only, so one compiled kernel
(``torch.compile``) serves every step.

Protocol (``ck = C[k]``, ``t = t0 + k``)::

    s = form.start(theta)            # a tuple of tensors
    q = form.query(ck, s)            # where the gradient of step t is taken
    e = form.evaluate(ck, s)         # the evaluation point (None: the query point)
    s = form.step(ck, s, grad_at_q)  # state at step t + 1

A discontinuous transform (sign) can be watched: ``step_u(..., tie_tol=tol)`` (the method) and
``step(..., tie_tol=tol)`` (the accelerated form) also return a ``(K,)`` mask of the configurations where
some coordinate of its argument was within ``tol`` of 0 relative to the size of the terms summed into it
(``|d| <= tol * sum_j |c_j| |x_j|``): there rounding alone decides the sign, and each form may decide it
its own way.
"""
from __future__ import annotations

import numpy as np
import torch

from equivalences.declare import Method
from equivalences.derive import Map
from equivalences.derivation import system_of
from equivalences.system import StepSystem
from equivalences.transform_kinds import KINDS as TRANSFORM_KINDS

from .compile import Config, compile_accelerated, compile_method
from .transforms import KINDS


class Coefficients:
    """Collects ``(T, K)`` tables; :meth:`stack` moves them to the device as one ``(T, n, K, 1)`` tensor."""

    def __init__(self):
        self.tables: list[np.ndarray] = []

    def add(self, table) -> int | None:
        if table is None:
            return None
        self.tables.append(np.asarray(table, dtype=np.float64))
        return len(self.tables) - 1

    def affine(self, aff):
        if aff is None:
            return None
        return tuple((j, self.add(c)) for j, c in aff.coeffs.items()), self.add(aff.u)

    def stack(self, dtype, device) -> torch.Tensor:
        arr = np.stack(self.tables, axis=1)[..., None]  # (T, n, K, 1)
        return torch.as_tensor(arr, dtype=dtype, device=device)

    @property
    def nbytes_per_step(self) -> int:
        return sum(t.shape[1] for t in self.tables)


def _apply(aff, ck, state, u):
    terms, iu = aff
    out = None
    for j, i in terms:
        out = ck[i] * state[j] if out is None else out + ck[i] * state[j]
    if iu is not None:
        out = ck[iu] * u if out is None else out + ck[iu] * u
    return out if out is not None else torch.zeros_like(state[0])


def _apply_abs(aff, ck, state, u):
    """``sum_j |c_j| |state_j| (+ |c_u| |u|)``: the size of the terms :func:`_apply` sums."""
    terms, iu = aff
    out = torch.zeros_like(state[0])
    for j, i in terms:
        out = out + ck[i].abs() * state[j].abs()
    if iu is not None:
        out = out + ck[iu].abs() * u.abs()
    return out


def _tie(d, scale, tol):
    """(K,) some coordinate of ``d`` is 0 up to rounding: within ``tol`` of 0 relative to ``scale`` (the size
    of the terms summed into it; an exact 0 of terms that are all 0 is no tie)."""
    return ((d.abs() <= tol * scale) & (scale > 0)).any(dim=-1)


def _jumps(kind: str) -> bool:
    return TRANSFORM_KINDS[kind].discontinuous if kind in TRANSFORM_KINDS else False


class _Transforms:
    """The transforms of one side: their states ride along at the end of the form's state tuple."""

    def __init__(self, programs: dict, coeffs: Coefficients):
        self.names = list(programs)
        self.kinds = [programs[n].kind for n in self.names]
        self.params = [{k: coeffs.add(v) for k, v in programs[n].tables.items()} for n in self.names]
        self.lags = [tuple(coeffs.add(x) for x in programs[n].lags) for n in self.names]
        self.stateful = [KINDS[k][0] is not None for k in self.kinds]

    def start(self, theta):
        # per stateful transform: its state; plus the previous gradient (for inputs like MARS's c_t)
        return tuple(torch.zeros_like(theta) for s in self.stateful if s) + (torch.zeros_like(theta),)

    def update(self, ck, tstate, g):
        """New transform states after seeing ``g``; returns (states, apply functions by name)."""
        g_prev = tstate[-1]
        out, j, appliers = [], 0, {}
        for name, kind, par, (ia, ib), stateful in zip(self.names, self.kinds, self.params, self.lags, self.stateful):
            update, apply = KINDS[kind]
            p = {k: ck[i] for k, i in par.items()}
            st = None
            if stateful:
                st = update(tstate[j], p, ck[ia] * g + ck[ib] * g_prev)
                out.append(st)
                j += 1
            appliers[name] = (apply, st, p)
        return tuple(out) + (g,), appliers


def _call(appliers, name, d):
    apply, st, p = appliers[name]
    return apply(st, p, d)


class MethodForm:
    def __init__(self, method: Method, cfg: Config, ts: np.ndarray, coeffs: Coefficients,
                 system: StepSystem | None = None):
        system = system or system_of(method)
        prog = compile_method(method, system, cfg, ts)
        self.n = len(prog.names)
        self.updates = [(coeffs.affine(up.linear), up.transform, coeffs.add(up.scale), coeffs.affine(up.arg))
                        for up in prog.updates]
        self._query, self._evaluate = coeffs.affine(prog.query), coeffs.affine(prog.evaluate)
        self._init = prog.init  # (n_state, K) multiples of theta_0
        self.transforms = _Transforms(prog.transforms, coeffs)
        self.pre = method.pre.name if method.pre else None
        self.jumps = {n for n, k in zip(self.transforms.names, self.transforms.kinds) if _jumps(k)}
        """The discontinuous transforms (sign) of its updates: where :meth:`step_u` watches for ties."""

    def start(self, theta):
        init = torch.as_tensor(self._init, dtype=theta.dtype, device=theta.device).unsqueeze(-1)
        return tuple(init[j] * theta for j in range(self.n)) + self.transforms.start(theta)

    def query(self, ck, s):
        return _apply(self._query, ck, s, None)

    def evaluate(self, ck, s):
        return None if self._evaluate is None else _apply(self._evaluate, ck, s, None)

    def step(self, ck, s, g):
        return self.step_u(ck, s, g)[0]

    def step_u(self, ck, s, g, tie_tol=None):
        """The next state and the (pre-transformed) gradient ``u`` this step used; with ``tie_tol``, also the
        (K,) mask of configurations where a discontinuous transform's argument was 0 up to rounding."""
        state, tstate = s[:self.n], s[self.n:]
        tstate, ap = self.transforms.update(ck, tstate, g)
        u = _call(ap, self.pre, g) if self.pre else g
        new, tie = [], None
        for lin, tname, scale, arg in self.updates:
            v = _apply(lin, ck, state, u)
            if tname is not None:
                d = _apply(arg, ck, state, u)
                if tie_tol is not None and tname in self.jumps:
                    here = _tie(d, _apply_abs(arg, ck, state, u), tie_tol)
                    tie = here if tie is None else tie | here
                v = v + ck[scale] * _call(ap, tname, d)
            new.append(v)
        if tie_tol is None:
            return tuple(new) + tstate, u
        if tie is None:
            tie = torch.zeros(g.shape[:-1], dtype=torch.bool, device=g.device)
        return tuple(new) + tstate, u, tie


def _combine(comb, ck, states, u):
    """``sum_j c_j states[j] + c_u u`` (``comb``: the indices of a compiled combination)."""
    terms, iu = comb
    out = None
    for j, i in terms:
        out = ck[i] * states[j] if out is None else out + ck[i] * states[j]
    last = u if iu is None else ck[iu] * u
    return last if out is None else out + last


def _combine_abs(comb, ck, states, u):
    """The size of the terms :func:`_combine` sums."""
    terms, iu = comb
    out = u.abs() if iu is None else ck[iu].abs() * u.abs()
    for j, i in terms:
        out = out + ck[i].abs() * states[j].abs()
    return out


class AcceleratedForm:
    """The map's target form (Eq. (1): ``m = beta_a m + u``; ``w <- w - K Post(eta_a m + alpha_a u)``), stepped
    as its update equations read (:func:`~numeric.compile.compile_accelerated`); optional weight average.

    State: ``(w, buffers..., wbar)`` (``wbar`` only for methods that evaluate elsewhere) then transform states.
    ``index[name]`` is the table of the coefficient ``name`` where a term of the form is that coefficient.
    """

    def __init__(self, method: Method, mp: Map, cfg: Config, ts: np.ndarray, coeffs: Coefficients,
                 system: StepSystem | None = None):
        system = system or system_of(method)
        prog = compile_accelerated(method, mp, cfg, ts, system)
        self._momentum = coeffs.affine(prog.momentum)
        comb = lambda c: (tuple((j, coeffs.add(x)) for j, x in c.terms), coeffs.add(c.u))  # noqa: E731
        self.recursions = tuple(comb(c) for c in prog.recursions)
        self.direction = comb(prog.direction)
        self.index = {}
        for name, (where, k) in prog.index.items():
            terms, iu = self.direction if where is None else self.recursions[where]
            self.index[name] = terms[k][1] if k < len(terms) else iu
        self.K = coeffs.add(prog.K)
        self.gamma_next = coeffs.add(prog.gamma)  # gamma at t + 1: forms the average after step t
        self._m_start, self._avg_init = prog.m_start, prog.avg_init
        mprog = compile_method(method, system, cfg, ts) if method.transforms else None
        self.transforms = _Transforms(mprog.transforms if mprog else {}, coeffs)
        self.pre = method.pre.name if method.pre else None
        self.post = mp.post.name if mp.post else None
        self.jumps = bool(mp.post) and _jumps(mp.post.kind)
        """Its post transform is discontinuous (sign): where :meth:`step` watches for ties."""
        self.buffers = len(self.recursions)
        self.n = 1 + self.buffers + (prog.avg_init is not None)

    def start(self, theta, w0):
        col = lambda v: torch.as_tensor(v, dtype=theta.dtype, device=theta.device).unsqueeze(-1)  # noqa: E731
        # each buffer = its decay at t0 times its start: step 0 then uses a decay of 1
        s = (w0.clone(), *(col(m) * theta for m in self._m_start))
        if self._avg_init is not None:
            s = s + (col(self._avg_init) * theta,)
        return s + self.transforms.start(theta)

    def query(self, ck, s):
        return s[0]

    def momentum_of(self, ck, state, u):
        """The change of variables on the method's state: what ``m_a`` must be after this step, and the size
        of its terms, ``sum |c_j| |s_j|`` (the scale its rounding error is relative to)."""
        terms, iu = self._momentum
        parts = [(ck[i], state[j]) for j, i in terms] + ([(ck[iu], u)] if iu is not None else [])
        value = sum(c * v for c, v in parts)
        scale = sum(c.abs() * v.abs() for c, v in parts)
        return value, scale

    def evaluate(self, ck, s):
        return s[self.n - 1] if self._avg_init is not None else None

    def step(self, ck, s, g, tie_tol=None):
        """The state after this step; with ``tie_tol``, also the (K,) mask of configurations where the
        discontinuous post transform's argument was 0 up to rounding."""
        tstate, ap = self.transforms.update(ck, s[self.n:], g)
        u = _call(ap, self.pre, g) if self.pre else g
        before = s[1:1 + self.buffers]
        ms = tuple(_combine(r, ck, before, u) for r in self.recursions)
        direction = _combine(self.direction, ck, ms, u)
        w = s[0] - ck[self.K] * (_call(ap, self.post, direction) if self.post else direction)
        out = (w, *ms)
        if self._avg_init is not None:
            gam = ck[self.gamma_next]
            out = out + ((1 - gam) * s[self.n - 1] + gam * w,)
        if tie_tol is None:
            return out + tstate
        if self.jumps:
            tie = _tie(direction, _combine_abs(self.direction, ck, ms, u), tie_tol)
        else:
            tie = torch.zeros(g.shape[:-1], dtype=torch.bool, device=g.device)
        return out + tstate, tie
