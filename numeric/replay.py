"""Replay a method and its accelerated form side by side and measure how far apart they get.

Both forms start from the same point, get the same noise sample at every step
(each at its own query point) and run in the same dtype.  ``K`` configurations
run at once as a batch: every state is one ``(K, D)`` tensor.  The deviation at
step ``t`` is ``|q_t - w_t|_inf / max(|q_t|_inf, |w_t|_inf)`` per configuration,
kept as a running maximum on the device (no host sync per step); evaluation
points (``x_t`` against the averaged ``w``) are compared the same way.

Tolerance: a correct map reproduces the method up to rounding.  Each step adds
a few ulps of relative error, and on a stable problem those errors add up at
most linearly, so the tolerance is ``TOL_ULPS_PER_STEP * T * eps`` (``eps`` the
dtype's machine epsilon; docs/numeric.md has the reasoning and measurements).
A run that leaves the finite numbers (overflow, NaN) is *diverged*: both forms
diverging together is agreement, one alone is a mismatch.

Where the dynamics amplify rounding, a sensitivity probe (the method nudged by one
ulp per step) measures by how much; ``64 ×`` its drift is the *rounding bound* of
that configuration, and a deviation above the tolerance but within it cannot be
judged in that precision (``inconclusive``, reported in words, never a ✓).

A discontinuous transform (sign) is watched too: where its argument is 0 up to rounding (within the
tolerance of 0, relative to the terms summed into it) while both forms still agree, each form's rounding
decides that sign its own way, and a whole step may differ from there on (Lion at beta1 = 1 - 2^-53: the
method's ``c_1 = (1 - beta1) g_1`` is exact, the map's ``eta_a m_a + alpha_a g_1`` is about ``999 g_1 - 999 g_1``
in rounded coefficients).  A deviation beyond the tolerance after such a *tie* is no evidence either way
(``inconclusive``); ``ReplayResult.sign_tie`` says where one happened.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import torch

from equivalences.declare import Method
from equivalences.derive import Map
from equivalences.derivation import system_of
from equivalences.system import StepSystem

from .compile import Config, ConfigError
from .forms import AcceleratedForm, Coefficients, MethodForm
from . import stacking
from .problems import NoisyLeastSquares

TOL_ULPS_PER_STEP = 64


class TooLarge(ValueError):
    """The run would not fit in the device's free memory."""


class NotFinite(ValueError):
    """A coefficient table of the method or of the map is not finite at these values (a degenerate value)."""


def tolerance(dtype: torch.dtype, steps: int) -> float:
    return TOL_ULPS_PER_STEP * steps * torch.finfo(dtype).eps


@dataclass
class ReplayResult:
    steps: int
    dtype: str
    device: str
    tolerance: float
    max_rel_deviation: np.ndarray  # (K,) query points
    max_rel_deviation_eval: np.ndarray | None  # (K,) evaluation points
    diverged: np.ndarray  # (K,) both forms left the finite numbers together (agreement)
    mismatched_divergence: np.ndarray  # (K,) one form diverged, the other did not
    max_rel_deviation_momentum: np.ndarray | None = None
    """(K,) the accelerated form's m_a against the change of variables on the method's state, relative to
    the size of the terms of the change of variables."""
    trace: np.ndarray | None = None  # (T,) deviation per step, configuration 0
    trace_eval: np.ndarray | None = None
    trajectories: dict = field(default_factory=dict)
    seconds: float = 0.0
    controls: list = field(default_factory=list)
    """One result per perturbed map replayed beside this one (``replay(..., controls=...)``), or the
    ``ConfigError`` saying why that map cannot be formed numerically."""
    sensitivity: np.ndarray | None = None
    """(K,) how far the method drifts from itself when its state is nudged by one ulp at every step (as
    rounding nudges either form): where this exceeds the tolerance, the dynamics amplify rounding (chaos,
    instability) and a deviation there is no evidence either way (``inconclusive``)."""
    sign_tie: np.ndarray | None = None
    """(K,) a discontinuous transform (sign) was applied, by either form, to an argument that was 0 up to
    rounding while the two forms still agreed (None: the run has no such transform): from there rounding alone
    may flip a coordinate of a step, so a deviation there is no evidence either way (``inconclusive``)."""

    @property
    def rounding_bound(self) -> np.ndarray:
        """(K,) how far two correct forms may drift apart by rounding alone at each configuration: the
        tolerance (64 ulps per step, adding up linearly); where the sensitivity probe ran, the same 64 ulps per
        step amplified as the probe measured them (its drift for one ulp per step, times 64), if larger."""
        tol = np.full(self.max_rel_deviation.shape, self.tolerance)
        if self.sensitivity is None:
            return tol
        with np.errstate(over="ignore"):
            return np.maximum(tol, TOL_ULPS_PER_STEP * np.nan_to_num(self.sensitivity, nan=np.inf))

    @property
    def amplified(self) -> np.ndarray:
        """(K,) the dynamics amplify rounding past the tolerance (the probe's drift alone exceeds it)."""
        if self.sensitivity is None:
            return np.zeros_like(self.diverged)
        return np.nan_to_num(self.sensitivity, nan=np.inf) > self.tolerance

    @property
    def inconclusive(self) -> np.ndarray:
        """(K,) configurations this precision cannot judge: the deviation exceeds the tolerance but not the
        rounding bound (rounding amplified by the dynamics explains it), or one form diverged alone where the
        dynamics amplify rounding (a rounding difference tipped one copy over the edge first)."""
        over = self.deviation() > self.tolerance
        tied = self.tied
        explained = over & ((self.deviation() <= self.rounding_bound) | tied)
        return ~self.diverged & ((explained & ~self.mismatched_divergence)
                                 | (self.mismatched_divergence & (self.amplified | tied)))

    @property
    def tied(self) -> np.ndarray:
        """(K,) :attr:`sign_tie`, all False where no discontinuous transform was watched."""
        return np.zeros_like(self.diverged) if self.sign_tie is None else self.sign_tie

    @property
    def judged(self) -> np.ndarray:
        """(K,) configurations that give evidence either way: not diverged together, not inconclusive."""
        return ~self.diverged & ~self.inconclusive

    def deviation(self) -> np.ndarray:
        """Per configuration: the larger of the query and evaluation deviations."""
        d = self.max_rel_deviation
        if self.max_rel_deviation_eval is not None:
            d = np.maximum(d, self.max_rel_deviation_eval)
        if self.max_rel_deviation_momentum is not None:
            d = np.maximum(d, self.max_rel_deviation_momentum)
        return d

    @property
    def per_config_passed(self) -> np.ndarray:
        """Agreed within the tolerance (or diverged together); inconclusive configurations are not failures,
        and are reported as such; one form diverging alone is a mismatch, unless inconclusive."""
        ok = self.diverged | self.inconclusive | (self.deviation() <= self.tolerance)
        return ok & ~(self.mismatched_divergence & ~self.inconclusive)

    @property
    def worst(self) -> float:
        """The largest deviation among configurations that give evidence (not diverged, not inconclusive)."""
        d = np.where(self.diverged | self.inconclusive, 0.0, self.deviation())
        return float(np.where(self.mismatched_divergence & ~self.inconclusive, np.inf, d).max())

    def worst_of(self, values: np.ndarray | None) -> float | None:
        """The largest of ``values`` (a per-configuration deviation) among the judged configurations."""
        if values is None:
            return None
        v = np.where(self.judged, np.nan_to_num(values, nan=np.inf), 0.0)
        return float(v.max()) if v.size else 0.0

    @property
    def passed(self) -> bool:
        return bool(self.per_config_passed.all())

    @property
    def eps(self) -> float:
        return float(torch.finfo(getattr(torch, self.dtype)).eps)


def relative_deviation(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    num = (a - b).abs().amax(dim=-1)
    den = torch.maximum(a.abs().amax(dim=-1), b.abs().amax(dim=-1)).clamp_min(torch.finfo(a.dtype).tiny)
    return num / den


def bytes_needed(n_states: int, batch: int, dim: int, steps: int, n_coeffs: int, dtype) -> int:
    """Memory a pair replay holds: both forms' states twice (old and new), gradients, noise and
    temporaries (8 tensors of (K, D)), plus the coefficient tables (T x n x K)."""
    item = torch.finfo(dtype).bits // 8
    return item * (batch * dim * (2 * n_states + 8) + steps * n_coeffs * batch)


def free_bytes(device) -> int:
    if str(device).startswith("cuda"):
        return torch.cuda.mem_get_info(torch.device(device))[0]
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def _after_ties(over, tied, pending, now):
    """The running masks after a deviation check (``now``: beyond the tolerance at this point): ``over`` (beyond
    it so far) and ``tied`` (its first deviation beyond it came right after a tie, ``pending``: excused)."""
    return over | now, tied | (pending & now & ~over)


def _pair_step(ours, acc, problem, ck, xi, s_m, s_a, s_p, bump, dmax, dmax_e, dmax_p, dmax_m, fin_q, fin_w,
               watch=None):
    """One step of both forms (and the probe); ``watch = (tol, over, tied, pending)`` or None: with it, the
    masks of :func:`_after_ties` are carried (``pending``: tied at this step), and the method's own tie mask of
    this step is returned last (the controls share it; None without ``watch``)."""
    q, w = ours.query(ck, s_m), acc.query(ck, s_a)
    if s_p is not None:  # the method again, its state nudged by about one ulp at every step
        qp = ours.query(ck, s_p)
        dmax_p = torch.maximum(dmax_p, torch.nan_to_num(relative_deviation(q, qp), nan=float("inf")))
        s_p = tuple(x * bump for x in ours.step(ck, s_p, problem.grad(qp, xi)))
    dev = relative_deviation(q, w)
    dmax = torch.maximum(dmax, torch.nan_to_num(dev, nan=float("inf")))
    e, wbar = ours.evaluate(ck, s_m), acc.evaluate(ck, s_a)
    dev_e = dev
    if e is not None and wbar is not None:
        dev_e = relative_deviation(e, wbar)
        dmax_e = torch.maximum(dmax_e, torch.nan_to_num(dev_e, nan=float("inf")))
    fin_q = fin_q & torch.isfinite(q).all(dim=-1)
    fin_w = fin_w & torch.isfinite(w).all(dim=-1)
    tie_m = None
    if watch is None:
        s_new, u = ours.step_u(ck, s_m, problem.grad(q, xi))
        s_a = acc.step(ck, s_a, problem.grad(w, xi))
    else:
        tol, over, tied, pending = watch
        over, tied = _after_ties(over, tied, pending, torch.nan_to_num(torch.maximum(dev, dev_e), nan=float("inf")) > tol)
        s_new, u, tie_m = ours.step_u(ck, s_m, problem.grad(q, xi), tie_tol=tol)
        s_a, tie_a = acc.step(ck, s_a, problem.grad(w, xi), tie_tol=tol)
        watch = (tol, over, tied, (tie_m | tie_a) & ~over)
    # the change of variables: m_a after this step against its value on the method's state, relative to
    # the size of the terms it sums (it may cancel, e.g. (x_t - z_t)/gamma_t)
    m_want, scale = acc.momentum_of(ck, s_m[:ours.n], u)
    num = (m_want - s_a[1]).abs().amax(dim=-1)
    den = torch.maximum(scale.amax(dim=-1), s_a[1].abs().amax(dim=-1)).clamp_min(torch.finfo(num.dtype).tiny)
    dmax_m = torch.maximum(dmax_m, torch.nan_to_num(num / den, nan=float("inf")))
    return s_new, s_a, s_p, dmax, dmax_e, dmax_p, dmax_m, fin_q, fin_w, dev, dev_e, q, e, u, watch, tie_m


class _Control:
    """A perturbed map stepped beside the method in the same run (the method's trajectory is shared):
    its running deviations, kept like the map's own, so a control is judged exactly as a map is."""

    def __init__(self, form, K, steps, dtype, device):
        self.form, self.k = form, 0
        self.trace = torch.zeros(steps, dtype=dtype, device=device)  # deviation per step, configuration 0
        zeros = lambda: torch.zeros(K, dtype=dtype, device=device)  # noqa: E731
        self.dmax, self.dmax_e, self.dmax_m = zeros(), zeros(), zeros()
        self.fin_w = torch.ones(K, dtype=torch.bool, device=device)
        self.state = None
        self.over = self.tied = self.pending = None  # as the pair's, where the run watches a sign (see _pair_step)

    def step(self, ours, problem, ck, xi, s_m, q, e, u, watch=None):
        acc, s_a = self.form, self.state
        w = acc.query(ck, s_a)
        dev = relative_deviation(q, w)
        self.trace[self.k], self.k = dev[0], self.k + 1
        self.dmax = torch.maximum(self.dmax, torch.nan_to_num(dev, nan=float("inf")))
        wbar = acc.evaluate(ck, s_a)
        if e is not None and wbar is not None:
            dev_e = relative_deviation(e, wbar)
            dev = torch.maximum(dev, dev_e)
            self.dmax_e = torch.maximum(self.dmax_e, torch.nan_to_num(dev_e, nan=float("inf")))
        self.fin_w = self.fin_w & torch.isfinite(w).all(dim=-1)
        if watch is None:
            self.state = s_a = acc.step(ck, s_a, problem.grad(w, xi))
        else:
            tol, tie_m = watch
            if self.over is None:
                self.over = self.tied = self.pending = torch.zeros_like(tie_m)
            self.over, self.tied = _after_ties(self.over, self.tied, self.pending,
                                               torch.nan_to_num(dev, nan=float("inf")) > tol)
            self.state, tie_a = acc.step(ck, s_a, problem.grad(w, xi), tie_tol=tol)
            s_a = self.state
            self.pending = (tie_m | tie_a) & ~self.over
        m_want, scale = acc.momentum_of(ck, s_m[:ours.n], u)
        num = (m_want - s_a[1]).abs().amax(dim=-1)
        den = torch.maximum(scale.amax(dim=-1), s_a[1].abs().amax(dim=-1)).clamp_min(torch.finfo(num.dtype).tiny)
        self.dmax_m = torch.maximum(self.dmax_m, torch.nan_to_num(num / den, nan=float("inf")))

    def finish(self, ck, q, fin_q, base: "ReplayResult", has_eval: bool) -> "ReplayResult":
        w = self.form.query(ck, self.state)
        last = torch.nan_to_num(relative_deviation(q, w), nan=float("inf"))
        dmax = torch.maximum(self.dmax, last)
        if self.over is not None:
            self.over, self.tied = _after_ties(self.over, self.tied, self.pending, last > base.tolerance)
        fq, fw = fin_q.cpu().numpy(), (self.fin_w & torch.isfinite(w).all(dim=-1)).cpu().numpy()
        return ReplayResult(steps=base.steps, dtype=base.dtype, device=base.device, tolerance=base.tolerance,
                            max_rel_deviation=dmax.cpu().numpy(),
                            max_rel_deviation_eval=self.dmax_e.cpu().numpy() if has_eval else None,
                            max_rel_deviation_momentum=self.dmax_m.cpu().numpy(),
                            diverged=~fq & ~fw, mismatched_divergence=fq != fw, seconds=base.seconds,
                            trace=np.nan_to_num(self.trace.cpu().numpy(), nan=np.inf),
                            sign_tie=None if self.tied is None else self.tied.cpu().numpy())


class PairReplay:
    """A compiled pair of forms for one method, map, configuration batch and problem."""

    def __init__(self, method: Method, mp: Map, *, steps: int, cfg: Config, problem, dtype, device,
                 system: StepSystem | None = None, fuse: bool | None = None, controls=(), stack: bool = True):
        system = system or system_of(method)
        self.steps, self.dtype, self.device, self.problem = steps, dtype, device, problem
        self.K = cfg.batch
        ts = np.arange(method.t0, method.t0 + steps + 1)  # one row past the last step: its query point
        coeffs = Coefficients()
        self.ours = MethodForm(method, cfg, ts, coeffs, system)
        self.acc = AcceleratedForm(method, mp, cfg, ts, coeffs, system)
        self.finite = np.ones(self.K, dtype=bool)  # configurations whose method and map tables are all finite
        for table in coeffs.tables:
            self.finite &= np.isfinite(table).all(axis=0) if table.ndim == 2 else np.isfinite(table)
        self.controls = []  # a perturbed map's form, or the reason it cannot be formed (ConfigError)
        for bad in controls:
            try:
                self.controls.append(AcceleratedForm(method, bad, cfg, ts, coeffs, system))
            except ConfigError as err:
                self.controls.append(err)
        # the controls with the map's layout run as more blocks of its batch (numeric/stacking.py): block g of the
        # self.blocks blocks of K configurations is control self.stacked[g - 1]; the others step on their own
        have = free_bytes(device)
        transforms = 2 * len(method.transforms) + 2
        need = bytes_needed(self.ours.n + (1 + len(self.controls)) * self.acc.n + transforms, self.K, problem.dim,
                            steps, len(coeffs.tables), dtype)
        self.stacked, self.blocks = (stacking.stackable(self.acc, self.controls) if stack else []), 1
        if self.stacked:  # unless the repeated method and tables do not fit: then each control on its own
            G = 1 + len(self.stacked)
            ours, acc, merged = stacking.stack(self.ours, self.acc, [self.controls[i] for i in self.stacked], coeffs,
                                               self.K)
            separate = (len(self.controls) - len(self.stacked)) * self.acc.n
            stacked_need = (bytes_needed(ours.n + acc.n + transforms, self.K * G, problem.dim, steps,
                                         len(merged.tables), dtype)
                            + bytes_needed(separate, self.K, problem.dim, 0, 0, dtype))
            if stacked_need <= 0.9 * have:
                self.ours, self.acc, coeffs, self.blocks, need = ours, acc, merged, G, stacked_need
            else:
                self.stacked = []
        if need > 0.9 * have:
            raise TooLarge(f"the replay needs {need / 2**30:.2f} GiB but {device} has {have / 2**30:.2f} GiB free; "
                           "use fewer configurations (--sweep), a smaller --dim or fewer --steps")
        self.bytes = need
        self.C = coeffs.stack(dtype, device)
        self.has_eval = self.ours._evaluate is not None and self.acc.n == 3
        self.watch = bool(self.ours.jumps) or self.acc.jumps or any(
            getattr(c, "jumps", False) for c in self.controls)  # a sign to watch for ties
        fuse = str(device).startswith("cuda") if fuse is None else fuse
        mode = fuse if isinstance(fuse, str) else None  # e.g. "reduce-overhead" (CUDA graphs)
        self.step_fn, self._bound, self.fused = _pair_step, False, False
        if fuse:
            import functools

            try:
                self.step_fn = torch.compile(functools.partial(_pair_step, self.ours, self.acc, problem),
                                             dynamic=False, mode=mode)
                self._bound, self.fused = True, True
            except Exception:  # noqa: BLE001 -- fall back to the plain path
                self.step_fn, self._bound = _pair_step, False

    def run(self, *, keep_trajectories: bool = False, progress=None, sensitivity: bool = True) -> ReplayResult:
        import time

        K1, G, dtype, device = self.K, self.blocks, self.dtype, self.device
        K = K1 * G  # block 0: the map; block g: control self.stacked[g - 1]
        # block 0's view: of a state or mask (configurations first), and of a step's tables ((n, K, 1))
        cut = (lambda x: x) if G == 1 else (lambda x: None if x is None else x[:K1])  # noqa: E731
        cut_ck = (lambda ck: ck) if G == 1 else (lambda ck: ck[:, :K1])  # noqa: E731
        theta = self.problem.start(K)
        s_m = self.ours.start(theta)
        s_a = self.acc.start(theta, self.ours.query(self.C[0], s_m))
        dmax = torch.zeros(K, dtype=dtype, device=device)
        dmax_e = torch.zeros(K, dtype=dtype, device=device)
        dmax_p = torch.zeros(K, dtype=dtype, device=device)
        dmax_m = torch.zeros(K, dtype=dtype, device=device)
        s_p = bump = None
        if sensitivity:
            signs = 1 - 2 * (torch.arange(theta.shape[-1], device=device) % 2).to(dtype)
            bump = 1 + torch.finfo(dtype).eps * signs  # one ulp, alternating sign over coordinates
            s_p = self.ours.start(theta * bump)
        fin_q = torch.ones(K, dtype=torch.bool, device=device)
        fin_w = torch.ones(K, dtype=torch.bool, device=device)
        tol = tolerance(dtype, self.steps)
        no = lambda: torch.zeros(K, dtype=torch.bool, device=device)  # noqa: E731
        watch = (tol, no(), no(), no()) if self.watch else None
        controls = [None if i in self.stacked else
                    _Control(f, K1, self.steps, dtype, device) if not isinstance(f, Exception) else f
                    for i, f in enumerate(self.controls)]
        alone = [c for c in controls if isinstance(c, _Control)]  # stepped on block 0's trajectory
        for c in alone:
            c.state = c.form.start(cut(theta), cut(s_a[0]))
        trace = torch.zeros(self.steps, G, dtype=dtype, device=device)  # configuration 0 of each block
        trace_e = torch.zeros(self.steps, dtype=dtype, device=device) if self.has_eval else None
        traj = {"q": [], "w": [], "e": [], "wbar": []} if keep_trajectories else None
        noise = self.problem.noise_stream(K)
        start = time.perf_counter()
        for k in range(self.steps):
            ck, xi = self.C[k], next(noise)
            if traj is not None:
                q, w = self.ours.query(ck, s_m), self.acc.query(ck, s_a)
                e, wb = self.ours.evaluate(ck, s_m), self.acc.evaluate(ck, s_a)
                traj["q"].append(q[0].cpu().numpy().copy())
                traj["w"].append(w[0].cpu().numpy().copy())
                if e is not None and wb is not None:
                    traj["e"].append(e[0].cpu().numpy().copy())
                    traj["wbar"].append(wb[0].cpu().numpy().copy())
            args = (ck, xi, s_m, s_a, s_p, bump, dmax, dmax_e, dmax_p, dmax_m, fin_q, fin_w, watch)
            out = self.step_fn(*args) if self._bound else self.step_fn(self.ours, self.acc, self.problem, *args)
            s_prev = s_m
            s_m, s_a, s_p, dmax, dmax_e, dmax_p, dmax_m, fin_q, fin_w, dev, dev_e, q, e, u, watch, tie_m = out
            if alone:
                prev1, tie1 = tuple(map(cut, s_prev)), None if tie_m is None else (tol, cut(tie_m))
                for c in alone:
                    c.step(self.ours, self.problem, cut_ck(ck), xi, prev1, cut(q), cut(e), cut(u), tie1)
            trace[k] = dev[::K1]
            if trace_e is not None:
                trace_e[k] = dev_e[0]
            if progress is not None:
                progress(k + 1)
        # the state after the last step is compared too, so a map wrong only at the last step is seen
        ck = self.C[self.steps]
        q, w = self.ours.query(ck, s_m), self.acc.query(ck, s_a)
        last = torch.nan_to_num(relative_deviation(q, w), nan=float("inf"))
        dmax = torch.maximum(dmax, last)
        if watch is not None:  # a tie at the last step excuses a deviation first seen after it
            _, over, tied, pending = watch
            watch = (tol, *_after_ties(over, tied, pending, last > tol), pending)
        fin_q, fin_w = fin_q & torch.isfinite(q).all(dim=-1), fin_w & torch.isfinite(w).all(dim=-1)
        if str(device).startswith("cuda"):
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        fq, fw = fin_q.cpu().numpy(), fin_w.cpu().numpy()
        dm, de, dmm = dmax.cpu().numpy(), dmax_e.cpu().numpy(), dmax_m.cpu().numpy()
        ties = None if watch is None else watch[2].cpu().numpy()
        traces = np.nan_to_num(trace.cpu().numpy(), nan=np.inf)

        def block(g: int, **extra) -> ReplayResult:
            b = slice(g * K1, (g + 1) * K1)
            return ReplayResult(
                steps=self.steps, dtype=str(dtype).replace("torch.", ""), device=str(device),
                tolerance=tol, max_rel_deviation=dm[b], max_rel_deviation_eval=de[b] if self.has_eval else None,
                max_rel_deviation_momentum=dmm[b], diverged=~fq[b] & ~fw[b], mismatched_divergence=fq[b] != fw[b],
                trace=traces[:, g], seconds=seconds, sign_tie=None if ties is None else ties[b], **extra)

        res = block(0, trace_eval=None if trace_e is None else np.nan_to_num(trace_e.cpu().numpy(), nan=np.inf),
                    sensitivity=dmax_p.cpu().numpy()[:K1] if sensitivity else None)
        if traj is not None:
            res.trajectories = {k: np.array(v) for k, v in traj.items() if v}
        blocks = {i: g for g, i in enumerate(self.stacked, 1)}
        res.controls = [block(blocks[i]) if i in blocks else
                        c.finish(cut_ck(ck), cut(q), cut(fin_q), res, self.has_eval)
                        if isinstance(c, _Control) else c for i, c in enumerate(controls)]
        return res


def replay(method: Method, mp: Map, *, steps: int = 500, dim: int = 32, seed: int = 0, cfg: Config | None = None,
           dtype=torch.float64, device="cpu", problem=None, system: StepSystem | None = None,
           keep_trajectories: bool = False, fuse: bool | None = None, progress=None,
           sensitivity: bool = True, controls=(), require_finite: bool = False, stack: bool = True) -> ReplayResult:
    """Replay ``method`` and the accelerated form of ``mp`` side by side; each map in ``controls`` (a
    deliberately wrong map) is stepped beside them on the same method trajectory, its result in
    ``result.controls``.  ``require_finite``: refuse (:class:`NotFinite`) rather than replay a configuration whose
    coefficient tables are not all finite.  ``stack=False`` steps each control on its own instead of as more
    blocks of the map's batch (:mod:`numeric.stacking`; the same results, bit for bit)."""
    cfg = cfg or Config.from_method(method)
    problem = problem or NoisyLeastSquares(dim, seed=seed, dtype=dtype, device=device)
    pair = PairReplay(method, mp, steps=steps, cfg=cfg, problem=problem, dtype=dtype, device=device,
                      system=system, fuse=fuse, controls=controls, stack=stack)
    if require_finite and not pair.finite.all():
        raise NotFinite(f"a coefficient of the method or of the map is not finite within the {steps} replayed steps")
    return pair.run(keep_trajectories=keep_trajectories, progress=progress, sensitivity=sensitivity)
