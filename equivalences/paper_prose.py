"""The paper's statements that belong to no single method: §3 (momentum, weight averaging, Eq. (1)),
§4.4 (what 1 - 1/t momentum accumulates) and the averaging convention shared by §3.2 and Algorithm 3.

Each is transcribed literally (its §/line in ``ref``, what the text says in ``note``) and checked like a
method's claims, with no method behind it: an equation by its rational normal form, a limit, sum,
"for all" or explicitness statement by :mod:`equivalences.claim_kinds`.
"""
from __future__ import annotations

import sympy as sp

from .algebra import canonical, nice
from .claim_kinds import Explicit, ForAll, is_kind, limit, proportional, s_, j_
from .declare import Claim
from .symbols import alpha_a, beta_a, eta_a, t

w, m, grad = sp.Function("w"), sp.Function("m"), sp.Function("nabla_f")
beta, eta = sp.symbols("beta eta")
delta, c, gamma = sp.symbols("delta c gamma")
w_bar, w_T = sp.symbols("wbar w_T")
th, m1, m2, gr = sp.Function("theta"), sp.Function("m1"), sp.Function("m2"), sp.Function("g")
alpha, beta1, beta3 = sp.symbols("alpha beta1 beta3")
APP_A_DELTA = {delta: sp.Rational(1, 10)}  # App. A sweeps delta in [0.05, 0.1] (and [0.025, 0.05, 0.1])

STATEMENTS: tuple[Claim, ...] = (
    Explicit("§3.1, the momentum update (printed as an algorithm step: explicit)", w(t), w(t - 1) - eta * m(t),
             lines={m(t): beta * m(t - 1) + grad(w(t))},
             printed=r"m_t = \beta m_{t-1} + \nabla f(w_t);\quad w_t = w_{t-1} - \eta m_t",
             fix=(w(t), w(t - 1) - eta * (beta * m(t - 1) + grad(w(t - 1)))),
             note="m_t reads the gradient at w_t, the point this step computes: as printed the step is implicit"),
    Explicit("§3.3, Eq. (1) (an explicit step: g_t is evaluated at w_t)", w(t + 1),
             w(t) - eta_a(t) * m(t) - alpha_a(t) * grad(w(t)), lines={m(t): beta_a(t) * m(t - 1) + grad(w(t))},
             printed=r"m_t = \beta_{a,t} m_{t-1} + g_t,\quad w_{t+1} = w_t - \eta_{a,t} m_t - \alpha_{a,t} g_t"),
    limit("§3.2 (gamma_T = 1 - 1/(delta T) is the weight of the newest iterate w_T; averaging lets it vanish)",
          1 - 1 / (delta * t), 0, assume=APP_A_DELTA, origin="prose",
          printed=r"\bar w_T = (1-\gamma_T)\bar w_{T-1} + \gamma_T w_T,\quad \gamma_t \approx 1 - \frac{1}{\delta t}",
          note="in the printed recursion gamma_T multiplies w_T; with gamma_t ~ 1 - 1/(delta t) the newest iterate "
               "keeps almost all the weight, the opposite of averaging (Alg. 3, line 8 puts 1 - c on it)"),
    ForAll("§3.2 (for some constant 0 <= delta <= 1, gamma_t = 1 - 1/(delta t) is a weight in [0, 1] for all t >= 1)",
           sp.And(1 - 1 / (delta * t) >= 0, 1 - 1 / (delta * t) <= 1), sp.true, assume=APP_A_DELTA, origin="prose",
           note="delta = 0.1 (App. A); negative before t = 1/delta, which is why Alg. 3 takes a max"),
    Claim("§3.2 and Alg. 3, line 8 (gamma_t of §3.2 and c of Alg. 3 are the same coefficient, both ~ 1 - 1/(delta t))",
          (1 - c) * w_bar + c * w_T, c * w_bar + (1 - c) * w_T, origin="prose",
          printed=r"\bar w_T = (1-\gamma_T)\bar w_{T-1} + \gamma_T w_T \ \text{vs}\ w_{avg} \leftarrow c\, w_{avg} + (1-c) w",
          fix=((1 - (1 - c)) * w_bar + (1 - c) * w_T, c * w_bar + (1 - c) * w_T),
          note="the same average needs gamma_t = 1 - c_t: the two printed conventions are opposite"),
    Explicit("Alg. 1, lines 4-8 (an explicit step: g^(t) is taken at theta^(t-1))", th(t),
             th(t - 1) - eta * (m1(t) + alpha * m2(t)), lines={m1(t): beta1 * m1(t - 1) + (1 - beta1) * gr(t),
                                                           m2(t): beta3 * m2(t - 1) + (1 - beta3) * gr(t),
                                                           gr(t): grad(th(t - 1))},
             printed=r"g^{(t)} \leftarrow \nabla_\theta \mathcal{L}_{\theta^{(t-1)}};\ \theta^{(t)} \leftarrow "
                     r"\theta^{(t-1)} - \eta^{(t)}(\hat m_1^{(t)} + \alpha^{(t)} m_2^{(t)})/(\sqrt{\hat\nu^{(t)}}+\epsilon)",
             note="the preconditioner is left out: it reads g^(t) too, at the same point"),
    Explicit("Alg. 2, lines 4-7 (an explicit step: g^(t) is taken at theta^(t-1))", th(t),
             th(t - 1) - eta * (m1(t) + alpha * gr(t)), lines={m1(t): beta1 * m1(t - 1) + gr(t), gr(t): grad(th(t - 1))},
             printed=r"m_1^{(t)} \leftarrow \beta_1 m_1^{(t-1)} + g^{(t)};\ \theta^{(t)} \leftarrow \theta^{(t-1)} - "
                     r"\eta^{(t)}(m_1^{(t)} + \alpha g^{(t)})/(\sqrt{\hat\nu^{(t)}}+\epsilon)"),
    proportional("§4.4 (for beta_a = 1 - 1/t the accumulated contribution of past gradients in m_t grows "
                 "proportionally to t)", sp.Sum(sp.Product(1 - 1 / j_, (j_, s_ + 1, t)), (s_, 1, t)), t,
                 origin="prose", note="m_t = sum_s (prod_(j=s+1)^t beta_a,j) g_s: the total weight of the gradients"),
)
"""Statements of §3, §4.4, Algorithms 1-2 and of §3.2 against Alg. 3, checked without a method."""

NOT_TRANSCRIBED = (
    ("§1, §5, §5.1, §6, App. A", "experimental results and hyperparameter sweeps (performance, batch sizes, "
                                  "GPU hours): empirical, nothing to decide symbolically"),
    ("§4.1, the two advantages", "no additional memory, no averaging hyperparameter: statements about an "
                                  "implementation's buffers and settings, not about the iterates"),
    ("§4.3, last paragraph; §5.1, LAProp", "which preconditioner a method uses and in which order: the "
                                           "declarations encode it (pre/post transforms); not a formula"),
    ("§4.4, 'AdEMAMix approximately follows beta_a = 1 - k/t by scaling up beta3'", "an approximation over a "
     "finite warm-up (for large t beta3 is constant); its exact part, the warm-up of alpha, is checked"),
    ("§4.5, 'alpha = 0 recovers Adam (subject to appropriate transformations of eta and beta1)'", "the "
     "transformations are not printed; alpha_a = 0 at alpha = 0 is checked"),
    ("App. B.4 after the first rewritten equation", "the shared text of the paper ends there; the "
     "declaration's second rewritten equation and implied beta_a/momentum come from the published version"),
)
"""What §3-§5 and the appendices say that is not transcribed, and why (listed in docs/paper-claims.md)."""


def check_statement(claim: Claim):
    """A statement of :data:`STATEMENTS` as a :class:`~equivalences.claims.ClaimResult`."""
    from .claims import ClaimResult, check_kind, specialise

    if is_kind(claim):
        return check_kind(claim, {}, {})
    r = canonical(specialise(claim.lhs - claim.rhs, claim.assume))
    res = ClaimResult(claim, r == 0, nice(r) if r != 0 else r)
    if r != 0 and claim.fix is not None and canonical(specialise(claim.fix[0] - claim.fix[1], claim.assume)) == 0:
        res.correction, res.correction_how = claim.fix, "corrected statement (proved)"
    return res


_CHECKED: list | None = None


def check_all() -> list:
    """Every statement of no method, checked once per process and kept in the derivation cache (keyed, like a
    derivation, by the engine's text and the statements themselves)."""
    global _CHECKED
    if _CHECKED is None:
        from . import cache

        saved = cache.load(STATEMENTS)
        _CHECKED = saved["results"] if saved is not None else [check_statement(c) for c in STATEMENTS]
        if saved is None:
            cache.store(STATEMENTS, {"results": _CHECKED})
    return _CHECKED


def counts(results) -> dict:
    """How many printed statements ``results`` (ClaimResults) check: displayed, prose, and how many hold."""
    return {"displayed": sum(r.claim.origin == "displayed" for r in results),
            "prose": sum(r.claim.origin == "prose" for r in results),
            "hold": sum(bool(r.holds) for r in results), "total": len(results)}


def summary_line(reports, standalone) -> str:
    """``verify all``'s count of the paper's statements: per method and not tied to a method."""
    mine = [c for r in reports for c in r.claims]
    a, b = counts(mine), counts(standalone)
    total = a["total"] + b["total"]
    return (f"Printed statements of the paper checked: {total} ({a['displayed'] + b['displayed']} displayed, "
            f"{a['prose'] + b['prose']} prose); {a['hold'] + b['hold']} hold as printed. "
            f"{b['total']} of them (§3, §4.4, Alg. 1-2, §3.2 vs Alg. 3) belong to no method.")
