"""The terminal views of every result, registered with :func:`equivalences.app.output.formatter`.

Readable at any width from 60 columns: cells fold rather than being cut, titles are wrapped text
(never a panel title that rich would truncate), and every user-visible string is escaped.
"""
from __future__ import annotations

import math
import re

import sympy as sp
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..algebra import nice
from ..claim_kinds import kind_of
from ..paper_prose import check_all, counts, summary_line
from ..printing import equation as _equation
from ..printing import GREEK, SPECIAL, _split, prose
from ..printing import text as _text
from ..symbols import alpha_a, beta_a, eta_a, gamma_avg, m, t, w
from ..convert import Conversion
from .commands.check import ReportSet
from .commands.convert import ConversionTable
from .commands.identify import Census
from .commands.libraries import LibraryRun
from .commands.list import MethodList
from .commands.mutations import MutationRun
from .commands.paper_claims import PaperClaims
from .output import esc, formatter, grid, print_rows, table
from .pipeline import Report

OK, BAD = "[green]✓[/]", "[red]✗[/]"
MASK_DURATIONS = False
"""True while docs/regenerate.py captures output: a duration is shown as ``…`` (a document's output must not
change from run to run)."""


def duration(seconds, unit: str = "s") -> str:
    """A wall-clock time as shown to a user (``1.3s``), or ``…`` while durations are masked."""
    return "…" if MASK_DURATIONS else f"{seconds:.1f}{unit}"


def text(expr) -> str:
    return esc(_text(expr))


def equation(lhs, rhs) -> str:
    return esc(_equation(lhs, rhs))


def say(message) -> str:
    """A sentence of the engine's, for a reader: in the report's notation (:func:`notation`), markup escaped."""
    return esc(notation(message))


_CALL = re.compile(r"(?<![\w.\\])(?<![A-Za-z]-)([A-Za-z][A-Za-z0-9_]*)\(\s*(t(?:\s*[+-]\s*\d+)?|\d+)\s*\)")
_NAME = re.compile(r"(?<![\w.\\])(?<![A-Za-z]-)([A-Za-z][A-Za-z0-9_]*)(?![\w(])(?!-[A-Za-z])")


def _greek_name(name: str) -> bool:
    return name in SPECIAL or name == "oo" or _split(name)[0] in GREEK


def notation(message) -> str:
    """Text of the engine's (ASCII, as JSON keeps it) in the notation every terminal view uses, the one the
    formulas print with (:func:`equivalences.printing.text`): a sequence at a step ``gamma(t + 1)`` as
    ``γ_{t+1}``, ``c(3)`` as ``c_3``; Greek names (``beta1``, ``eta_a``) as ``β_1``, ``η_a``; ``oo`` as ``∞``.
    Dotted names (classes, modules), hyphenated ones (method keys) and ``name=value`` settings stay as typed."""
    s = prose(str(message))
    s = _CALL.sub(lambda m: _text(sp.Function(m.group(1))(sp.sympify(m.group(2).replace(" ", ""), locals={"t": t}))), s)
    return _NAME.sub(lambda m: ("∞" if m.group(1) == "oo" else _text(sp.Symbol(m.group(1))))
                     if _greek_name(m.group(1)) and not s[m.end():m.end() + 1] == "=" else m.group(1), s)


def line(console: Console, markup: str, indent: int = 4) -> None:
    """Print one logical line with a hanging indent: where it wraps, the continuation lines start ``indent``
    columns in (never back at column 0)."""
    txt = Text.from_markup(markup)
    width = console.width
    indent = min(indent, width // 3)
    lines = txt.wrap(console, width)
    console.print(lines[0], overflow="fold", crop=False)
    if len(lines) > 1:
        rest = Text(" ").join(ln for ln in lines[1:])
        for ln in rest.wrap(console, width - indent):
            console.print(Text(" " * indent) + ln, overflow="fold", crop=False)


def hang(console: Console, head: str, units, *, indent: int | None = None, sep: str = " ") -> None:
    """``head`` and then ``units`` (markup: whole expressions, clauses), packed into lines of the console's
    width so that a line breaks between units, never inside one that fits on a line; continuation lines are
    indented (by ``indent``, default the width of ``head``, at most a third of the line)."""
    width = console.width
    head_w = Text.from_markup(head).cell_len
    ind = min(head_w if indent is None else indent, width // 3)
    packed, cur, cur_w = [], head, head_w
    for u in units:
        w = Text.from_markup(u).cell_len
        gap = len(sep) if cur_w > (head_w if not packed else ind) else 0
        if cur_w + gap + w > width and cur_w > (head_w if not packed else ind):
            packed.append(cur)
            cur, cur_w, gap = " " * ind, ind, 0
        cur += (sep if gap else "") + u
        cur_w += gap + w
    packed.append(cur)
    for i, p in enumerate(packed):
        if i == 0:
            line(console, p, ind)
        else:  # already indented: its own overflow keeps the indent
            for ln in Text.from_markup(p[ind:]).wrap(console, width - ind):
                console.print(Text(" " * ind) + ln, overflow="fold", crop=False)


def expression(text_) -> str:
    """A report's expression string (``sympy.sstr``) as the terminal shows one: simplified where that is shorter
    (``(1 - 1/(t + 1))*(t + 1)`` is ``t``; :func:`equivalences.algebra.nice`) and printed like the formulas; text
    that is not a plain expression (``1/t for t = 2..7``) in the same :func:`notation`."""
    from ..algebra import parse

    head, sep, tail = str(text_).partition(" for ")
    try:
        e = parse(head)
    except Exception:  # noqa: BLE001 -- not an expression: words
        return notation(text_)
    if e.atoms(sp.Float):  # a decimal as the user or the fit wrote it
        return notation(text_)
    shown = min((_text(e), _text(nice(e))), key=len)
    return shown + (sep + notation(tail) if sep else "")


def _published(method):
    tab = grid()
    for f, body in method.define.items():
        tab.add_row("define", equation(f(t), body))
    for i, (point, grad) in enumerate(getattr(method, "calls", ()), 1):  # several gradient calls per step
        tab.add_row(f"call {i}", f"{text(grad(t))} at {text(point(t))}")
    if not getattr(method, "calls", ()):
        tab.add_row("gradient", f"g_t at {text(method.query(t))}" + (f", u_t = {method.pre.name}_t(g_t)" if method.pre else ""))
    for eq in method.updates:
        tab.add_row("update", equation(eq.lhs, eq.rhs))
    if method.evaluate is not None:
        tab.add_row("evaluate", text(method.evaluate(t)))
    tab.add_row("start", ", ".join(equation(k, v) for k, v in method.init.items()))
    return tab


def _map(report):
    mp, method = report.map, report.method
    tab = grid()
    u = method.input
    direction = f"{text(eta_a(t))}·{text(m(t))} + {text(alpha_a(t))}·{text(u(t))}"
    step = f"{mp.post.name}_t({direction})" if mp.post else f"({direction})"
    k = "" if mp.K == 1 else f"{text(mp.K)}·"
    tab.add_row("Eq. (1)", f"{text(m(t))} = {text(beta_a(t))}·{text(m(t - 1))} + {text(u(t))},   "
                f"{text(w(t + 1))} = {text(w(t))} - {k}{step}")
    for f, e in ((beta_a, mp.beta_a), (eta_a, mp.eta_a), (alpha_a, mp.alpha_a)):
        line = equation(f(t), e)
        if report.overrides:
            line += f"   [dim](= {text(report.at_values(e))} here)[/]"
        tab.add_row("derived", line)
    sys = report.derivation.system
    expanded = sys.expand(method.query(t))
    tail = "" if expanded == method.query(t) else f" = {text(expanded)}"
    tab.add_row("variables", f"{text(w(t))} = {text(method.query(t))}{tail}")
    tab.add_row("", equation(m(t), mp.momentum))
    start = nice(sys.expand(method.query(t)).subs(t, method.t0).xreplace(sys.init))
    from ..derive import start_as_product, start_product

    m0 = (f"{text(beta_a(method.t0))}·{text(m(method.t0 - 1))} = {text(start_product(mp, method.t0))} (only this "
          f"product enters Eq. (1))" if start_as_product(mp, method.t0) else f"{text(m(method.t0 - 1))} = {text(mp.m_init)}")
    tab.add_row("start", f"{text(w(method.t0))} = {text(start)}, {m0}")
    if mp.gamma_avg is not None:
        e = method.evaluate
        tab.add_row("averaging", f"{text(e(t + 1))} = (1 - {text(gamma_avg(t + 1))})·{text(e(t))} + "
                    f"{text(gamma_avg(t + 1))}·{text(w(t + 1))},   {equation(gamma_avg(t), mp.gamma_avg)}")
    return tab


def _proof(report):
    tab = grid(first_style=None)
    for i in report.proof.identities:
        status = f"{OK} reduces to 0" if i.holds else f"{BAD} residual {text(i.residual)}"
        tab.add_row(status, f"{esc(i.name)}: {equation(i.lhs, i.rhs)}")
    return tab


def _degenerate(report):
    if not report.derivation.degenerate:
        return Text("none")
    tab = grid(first_style=None)
    for d in report.derivation.degenerate:
        tab.add_row(text(d["factor"]) + " = 0", say("; ".join(d["effects"])))
    return tab


def _assumptions(c) -> str:
    if not c.claim.assume:
        return ""
    items = [f"{text(k) if isinstance(k, sp.Symbol) else k.__name__ + '_t'} = {text(v)}" for k, v in c.claim.assume.items()]
    return "  [dim](with " + esc(", ".join(items)) + ")[/]"


def _origins(results) -> str:
    n = counts(results)
    return f"{n['displayed']} displayed, {n['prose']} from the prose"


def _claims(report):
    tab = grid(padding=(0, 1), first_style=None)
    method = report.method
    for c in report.claims:
        head = f"[dim]{say(c.claim.ref)}:[/] {equation(c.claim.lhs, c.claim.rhs)}{_assumptions(c)}"
        if c.holds:
            tab.add_row(OK, head)
            if c.holds_in_general is False:
                more = f"  [yellow]holds only with {esc(method.paper_setting_text)}[/]"
                if c.general_correction:
                    more += f"; in general {equation(*c.general_correction)}"
                tab.add_row("", more)
        else:
            tab.add_row(BAD, head)
            label = "first failing step t =" if kind_of(c.claim) == "for all" else "residual"
            tab.add_row("", f"  [red]{label}[/] {text(c.residual)}")
            if c.correction:
                tab.add_row("", f"  [cyan]correction[/], proved ({say(c.correction_how)}): {equation(*c.correction)}")
            elif c.correction_how:
                tab.add_row("", f"  [cyan]{esc(c.correction_how)}[/]")
    return tab


def _numeric(report):
    n = report.numeric
    r, ctl = n.result, n.control
    tab = grid()
    K = r.max_rel_deviation.shape[0]
    what = f"{K} configurations at once" if K > 1 else "one configuration"
    tab.add_row("run", f"{n.problem}, {r.steps} steps, {what}, {r.dtype} on {r.device}, seed {n.seed}")
    if K == 1:
        tab.add_row("values", esc(replayed_values(report)))
    judged, unjudged = int(r.judged.sum()), int(r.inconclusive.sum())
    if judged:
        parts = [("query points", r.worst_of(r.max_rel_deviation)), ("evaluation points", r.worst_of(r.max_rel_deviation_eval))]
        parts = [(k, v) for k, v in parts if v is not None]
        momentum = r.worst_of(r.max_rel_deviation_momentum)
        if momentum is not None and momentum > max(v for _, v in parts):
            parts.append(("momentum m_a", momentum))
        line = ", ".join(f"{k} {v:.2e}" for k, v in parts) + f" ({_ulps(r.worst / r.eps)})"
        if K > 1 and (unjudged or r.diverged.any()):
            line += f" over the {judged} judged configurations"
        tab.add_row("max rel. deviation", line + f"   (tolerance {r.tolerance:.1e} = 64·T·eps)  "
                    + (OK if r.passed else BAD))
    if unjudged:
        tab.add_row("cannot judge", esc(cannot_judge(r)))
    if K > 1:
        tab.add_row("sweep", f"over {', '.join(n.sampled)}; {n.excluded} degenerate excluded, "
                    f"{int(r.diverged.sum())} diverged together, {unjudged} inconclusive, "
                    f"{int((~r.per_config_passed).sum())} mismatched")
        for w in n.worst(5):
            tab.add_row("  worst", _worst_line(w))
        for w in n.worst(3, inconclusive=True):
            tab.add_row("  inconclusive", _worst_line(w))
    ratio = ctl.worst / r.tolerance if r.tolerance else float("inf")
    frac = "" if K == 1 else f", rejected in {100 * n.control_rejected_fraction:.0f}% of judged configurations"
    tab.add_row("negative control", f"{say(n.control_name)}: deviation {ctl.worst:.2e} = {ratio:.0e}× tolerance{frac}  "
                + (f"{OK} rejected" if n.control_rejected else f"{BAD} NOT rejected"))
    return tab


def cannot_judge(r) -> str:
    """Why the inconclusive configurations of a replay say nothing either way, in words."""
    import numpy as np

    k = r.inconclusive
    n = int(k.sum())
    s = float(np.nan_to_num(r.sensitivity[k], nan=np.inf).max()) if r.sensitivity is not None else float("inf")
    d = float(np.nan_to_num(r.deviation()[k], nan=np.inf).max())
    which = "this configuration" if r.inconclusive.size == 1 else f"{n} configuration{'s' * (n > 1)}"
    return (f"{which} in {r.dtype}: the deviation (up to {d:.1e}) exceeds the tolerance, but the dynamics amplify "
            f"rounding there -- the method nudged by one ulp per step drifts from itself by up to {s:.1e}, so "
            f"rounding alone (64 ulps per step) can reach {min(64 * s, 2.0):.1e}; a deviation there is no "
            "evidence for or against the map")


def _ulps(n: float) -> str:
    return f"{n:.0f} ulps" if n < 1e6 else f"{n:.1e} ulps"


def _worst_line(w) -> str:
    vals = esc(", ".join(f"{k}={v:.4g}" for k, v in w.values.items()))
    mark = {"agrees": OK, "mismatch": BAD, "inconclusive": "[yellow]?[/]"}[w.status]
    what = f"rounding bound {min(w.bound, 2.0):.1e}" if w.status == "inconclusive" else _ulps(w.deviation_ulps)
    return f"{w.deviation:.2e} ({what}) {mark} at {vals}"


def replayed_values(report) -> str:
    """The hyperparameter values one replay ran at: every constant, then each schedule's default body."""
    from .pipeline import replay_setting

    setting = replay_setting(report.method, report.overrides)
    consts = [f"{_text(k)} = {_text(v)}" for k, v in setting.items() if isinstance(k, sp.Symbol)]
    scheds = [f"{_text(k(t))} = {min((_text(v), _text(nice(v))), key=len)}" for k, v in setting.items()
              if not isinstance(k, sp.Symbol)]
    return ", ".join(consts + scheds) or "(no hyperparameters)"


def _title(method) -> Text:
    return Text.from_markup(f"[bold]{esc(method.name)}[/]  [dim]({esc(method.reference)}; paper {esc(method.section)})[/]")


@formatter(Report, "text")
def render_report(report, console: Console) -> None:
    method = report.method
    parts = [_title(method), Text("\nAs published", style="bold"), _published(method)]
    if report.general is not None:
        parts += [Text(f"\nAt the values {'set' if report.overrides else 'of the defaults'}", style="bold"),
                  Text(prose(report.notes[0]))]
    if report.not_in_family:
        undecided = report.not_in_family.startswith("undecided")
        parts += [Text(f"{'Not decided' if undecided else 'Not an instance of Eq. (1)'}: {notation(report.not_in_family)}",
                       style="bold yellow" if undecided else "bold red")]
        if report.family is not None:
            parts += [Text(f"Smallest family: {report.family.sentence()} (verify family shows the map and proof)")]
        parts += _independent(report)
        console.print(Panel(Group(*parts)))
        console.print(_verdict(report))
        return
    parts += [Text("\nDerived map to accelerated SGD", style="bold"), _map(report),
              Text("\nProof", style="bold"), _proof(report),
              Text("\nDegenerate parameters", style="bold"), _degenerate(report),
              Text(f"\nThe paper's claims ({report.claims_holding}/{len(report.claims)} hold as printed; "
                   f"{_origins(report.claims)})", style="bold"),
              _claims(report)]
    parts += _independent(report)
    if report.numeric is not None:
        parts += [Text("\nNumeric replay", style="bold"), _numeric(report)]
    console.print(Panel(Group(*parts)))
    console.print(_verdict(report))


def _independent(report) -> list:
    """The independent check (equivalences/response.py): one line, red where it contradicts the verdict."""
    c = report.check
    if c is None:
        return []
    return [Text("\nIndependent check (the declaration run exactly, against Eq. (1))", style="bold"),
            Text(prose(c.summary()), style="bold red" if c.inconsistent else "")]


def _verdict(report) -> str:
    key = esc(report.method.key)
    if not report.consistent:
        return (f"[bold red]{key}: INTERNAL INCONSISTENCY: the independent check contradicts the "
                f"{'proof' if report.proved else 'verdict'} (no verdict; please report it)[/]")
    if report.no_map_here is not None:
        return f"[bold red]{key}: not an instance of Eq. (1) at these values (proved in general; witness above)[/]"
    if report.ok:
        what = "proved" + (" and confirmed numerically" if report.numeric else " (no replay)")
        return f"[bold green]{key}: {what}[/]"
    if report.not_in_family:
        if report.not_in_family.startswith("undecided"):
            return f"[bold yellow]{key}: undecided (no map and no witness found)[/]"
        return f"[bold red]{key}: not an instance of Eq. (1) (witness above)[/]"
    if not report.proved:
        return f"[bold red]{key}: proof FAILED[/]"
    return f"[bold red]{key}: numeric check FAILED[/]"


@formatter(ReportSet, "text")
def render_set(result, console: Console) -> None:
    if result.many:
        render_all(result.reports, console)
    else:
        render_report(result.reports[0], console)


def _check_mark(report) -> str:
    c = report.check
    if c is None:
        return "-"
    if c.inconsistent:
        return f"{BAD} CONTRADICTS"
    return f"{OK} {sum(x.member is not None for x in c.checks)} pts" if c.confirmed else "n/a"


def render_all(reports, console: Console) -> None:
    """A summary table (the columns fit in 60), then each derived map as wrapped lines."""
    rows = []
    for r in reports:
        if r.map is None:
            rows.append((esc(r.method.key), f"{BAD} not Eq. (1)", _check_mark(r), "-", "-", "-",
                         duration(r.timings.get('total', 0))))
            continue
        n = r.numeric
        claims = f"{r.claims_holding}/{len(r.claims)}"
        if r.claims_holding < len(r.claims):
            claims = f"[yellow]{claims}[/]"
        replay = "-" if n is None else (
            f"{n.result.worst:.1e} ≤ {n.result.tolerance:.0e} {OK if n.result.passed else BAD}")
        control = "-" if n is None else (OK if n.control_rejected else BAD)
        rows.append((esc(r.method.key), OK if r.proved else BAD, _check_mark(r), claims, replay, control,
                     duration(r.timings.get('total', 0))))
    _summary(console, ("method", "proof", "check", "paper claims", "replay deviation ≤ tolerance",
                       "control", "time"), rows)
    console.print("\n[bold]Derived maps[/]")
    for r in reports:
        head = f"[bold]{esc(r.method.key)}[/]: "
        if r.map is None:
            line(console, f"{head}not an instance of Eq. (1): {say(r.not_in_family)}")
            continue
        coeffs = [equation(f(t), e) for f, e in ((beta_a, r.map.beta_a), (eta_a, r.map.eta_a), (alpha_a, r.map.alpha_a))]
        hang(console, head, [c + ";" for c in coeffs[:-1]] + coeffs[-1:], indent=4)
    _sweeps(reports, console)
    standalone = check_all()
    failing = [(r.method.key + ", ", c) for r in reports for c in r.claims if not c.holds]
    failing += [("", c) for c in standalone if not c.holds]
    if failing:
        console.print(f"\n[bold yellow]Printed claims that fail ({len(failing)}):[/]")
        for where, c in failing:
            units = [f"{esc(where)}{say(c.claim.ref)}:", equation(c.claim.lhs, c.claim.rhs)]
            if c.correction:
                units += [f"→ {equation(*c.correction)}", f"({say(c.correction_how)})"]
            hang(console, "  ", units, indent=4)
    console.print()
    line(console, esc(summary_line(reports, standalone)))
    ok = sum(r.ok for r in reports)
    console.print(f"\n[bold]{ok}/{len(reports)} methods proved" + (" and confirmed" if all(r.numeric for r in reports) else "") + "[/]")


def _summary(console: Console, headers, rows) -> None:
    """``verify all``'s table: boxed where it fits; else borderless (fits 80 columns); else one line per method
    with a hanging indent."""
    from rich import box

    def fits(tab):
        return console.measure(tab, options=console.options.update_width(1 << 16)).maximum <= console.width

    boxed = table(*headers, title="verify all")
    short = {"paper claims": "claims", "replay deviation ≤ tolerance": "replay ≤ tolerance"}
    keep = [i for i, h in enumerate(headers) if h != "time"]  # the narrow table leaves the wall time out
    plain = table(*(short.get(headers[i], headers[i]) for i in keep), title="verify all", box=box.SIMPLE_HEAD,
                  pad_edge=False, show_edge=False, padding=(0, 1), collapse_padding=True)
    for row in rows:
        boxed.add_row(*row)
        plain.add_row(*(row[i] for i in keep))
    for tab in (boxed, plain):
        if fits(tab):
            console.print(tab)
            return
    console.print("[bold]verify all[/]")
    for row in rows:
        line(console, f"[bold]{row[0]}[/]  " + " · ".join(f"{h}: {v}" for h, v in zip(headers[1:], row[1:])), 4)


def _sweeps(reports, console: Console, n: int = 5) -> None:
    """For ``verify all --sweep/--grid``: the ``n`` worst judged configurations of all methods, and per method
    what this precision cannot judge."""
    swept = [r for r in reports if r.numeric is not None and r.numeric.sampled]
    if not swept:
        return
    worst = sorted(((w, r.method.key) for r in swept for w in r.numeric.worst(n)),
                   key=lambda x: -(float("inf") if x[0].status == "mismatch" else x[0].deviation))[:n]
    configs = sum(int(r.numeric.result.max_rel_deviation.shape[0]) for r in swept)
    console.print(f"\n[bold]Sweeps[/] ({configs} configurations of {len(swept)} methods): the {len(worst)} worst judged")
    for w, key in worst:
        line(console, f"  [bold]{esc(key)}[/]: {_worst_line(w)}", 6)
    for r in swept:
        if r.numeric.result.inconclusive.any():
            line(console, f"  [bold]{esc(r.method.key)}[/]: cannot judge {esc(cannot_judge(r.numeric.result))}", 6)


@formatter(MethodList, "text")
def render_list(result, console: Console) -> None:
    """One wrapped paragraph per method (a table would cut names at 60 columns)."""
    console.print("[bold]Methods[/] (verify NAME; references: verify list --json)")
    for r in result.rows:
        line(console, f"[bold]{esc(r['method'])}[/]  {esc(r['name'])} ({esc(r['section'])}): {say(r['summary'])}")


@formatter(LibraryRun, "text")
def render_libraries(result, console: Console) -> None:
    """One wrapped line per class (a class name is never split), then the documented deviations."""
    console.print(f"[bold]Real optimizer libraries against Eq. (1)[/]  (float64, {result.steps} steps, "
                  f"tolerance {result.tolerance:.0e})")
    for r in result.rows:
        dev = "—" if r["max_rel_deviation"] is None else f"{r['max_rel_deviation']:.1e}"
        ok = all(s["as_expected"] for s in r["settings"])
        line(console, f"{OK if ok else BAD} [bold]{esc(r['class'])}[/] ({esc(r['library'])} {esc(r['version'])}) → "
             f"{esc(r['method'])}: {esc(r['status'].split(':')[0])}; max rel. deviation {dev}; control "
             + ("rejected" if r["control_rejected"] else "[red]NOT rejected[/]")
             + ("" if r.get("independent_check", {}).get("consistent", True) else
                "; [red]the independent check contradicts the proof[/]"))
        if ":" in r["status"]:
            line(console, f"    {esc(r['status'].split(':', 1)[1].strip())}", 6)
        for s in r["settings"]:
            what = s["error"] or f"deviation {max(s['max_rel_deviation_query'], s['max_rel_deviation_eval'] or 0):.1e}"
            if s["name"].startswith("--set"):
                line(console, f"    at {esc(s['name'])}: {esc(what)} (control {s['control_deviation']:.1e})", 6)
            elif s["expect"] != "exact" or not s["as_expected"]:
                mark = "" if s["as_expected"] else "  [red](not as documented)[/]"
                line(console, f"    at {esc(s['name'])}: {esc(s['note'] or 'unexpected')} -> {esc(what)}{mark}", 6)
    if result.missing:
        hint = esc("pip install -c .ci/constraints.txt '.[libs]'")
        console.print(f"not installed: {esc(', '.join(result.missing))} ({hint})")




@formatter(MutationRun, "text")
def render_suites(result, console: Console) -> None:
    """A table: one row per method (and, for one method, one row per mutant)."""
    suites = result.suites

    def frac(c):
        return f"{c[0]}/{c[1]}" if c[1] else "-"

    if len(suites) == 1:
        per = []
        for r in suites[0].results:
            if not r.applicable:
                per.append((say(r.name), esc(r.kind), "[dim]same map: not applicable[/]", ""))
                continue
            proof = "[green]✓ rejected[/]" if r.symbolic else "[red]✗ ESCAPED[/]"
            if r.numeric is None:
                replay = f"[dim]{esc(r.numeric_note or 'not replayed')}[/]"
            elif r.numeric:
                replay = "[green]✓ rejected[/]" + (f" ({r.deviation:.1e})" if r.deviation is not None else "")
            else:
                replay = "[red]✗ ESCAPED[/]"
            independent = "[green]✓ rejected[/]" if r.independent else "[red]✗ ESCAPED[/]"
            per.append((say(r.name), esc(r.kind), proof, independent, replay))
        print_rows(console, ("mutant", "kind", "proof", "independent check", "replay"), per,
                   title=f"mutations of {esc(suites[0].method)}")
    rows = []
    tot = [0] * 8
    for s in suites:
        sc, ic, nc = s.count("symbolic"), s.count("independent"), s.count("numeric")
        blind = sum(r.applicable and r.numeric is None and bool(r.numeric_note) for r in s.results)
        tot = [a + b for a, b in zip(tot, (*sc, *ic, *nc, s.not_applicable, blind))]
        mark = "" if s.ok else " [red]✗[/]"
        rows.append((esc(s.method) + mark, frac(sc), frac(ic), frac(nc), str(s.not_applicable), str(blind),
                     duration(s.seconds)))
    if len(suites) > 1:
        rows.append(("all", frac(tot[0:2]), frac(tot[2:4]), frac(tot[4:6]), str(tot[6]), str(tot[7]), ""))
    print_rows(console, ("method", "proof caught/tried", "independent caught/tried", "replay caught/tried",
                         "not applicable", "replay cannot see", "time"), rows, title="verify mutations")
    escaped = [(s.method, r.name) for s in suites for r in s.results if r.escaped]
    if escaped:
        console.print(f"[red]{len(escaped)} mutant(s) escaped:[/] " + esc("; ".join(f"{m}: {n}" for m, n in escaped)))
    else:
        console.print("every applicable mutant was rejected")


@formatter(PaperClaims, "text")
def render_paper_claims(result, console: Console) -> None:
    """One wrapped block per statement: where and ref, kind and origin, the statement, and for a failure its
    residual and correction."""
    console.print("[bold]The paper's statements[/]")
    for r in result.rows:
        mark = OK if r.holds else BAD
        line(console, f"{mark} [bold]{esc(r.where)}[/], {say(r.ref)} [dim]({esc(r.kind)}, {esc(r.origin)})[/]: "
                      f"{say(r.statement)}")
        if not r.holds:
            label = "first failing step t =" if r.kind == "for all" else "residual"
            line(console, f"    [red]{label}[/] {say(r.residual)}", 6)
            if r.correction:
                line(console, f"    [cyan]correction[/] {say(r.correction)} ({say(r.correction_how)})", 6)
            elif r.correction_how:
                line(console, f"    [cyan]{say(r.correction_how)}[/]", 6)
        if r.holds_in_general is False:
            console.print("    [yellow]fails without the paper's setting[/]")
    n = result.counts
    console.print(f"{n['total']} statements ({n['displayed']} displayed, {n['prose']} prose); "
                  f"{n['hold']} hold as printed")


# -- identify --------------------------------------------------------------------------------------------


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.10g}"


@formatter("numeric.identify.verdict.Identification", "text")
def render_identification(res, console: Console) -> None:
    """The verdict, its reason and evidence, the identified coefficient sequences, and the matches."""
    j = res.to_json()
    settings = ", ".join(f"{k}={v}" for k, v in j["settings"].items()) or "default settings"
    shape = "" if res.rows == 1 else f"; probed on a {res.rows}-row matrix"
    console.print(f"[bold]{esc(j['target'])}[/bold] ({esc(settings)}{esc(shape)})")
    console.print(f"verdict: [bold]{esc(j['verdict'])}[/bold]")
    line(console, say(j["reason"]))
    if j["residual"] is not None:
        ctrl = {True: "rejected", False: "NOT rejected", None: "-"}[j["control_rejected"]]
        console.print(f"residual {j['residual']:.1e} (tolerance {j['tolerance']:.1e}); control {ctrl}")
    c = j["coefficients"]
    if c["eta_a"] is not None:
        regime = res.regime if res.regime.startswith("sign") or not res.regime else f"u = {res.regime}"
        console.print(f"identified coefficients (step k = t - t0{'; ' + esc(regime) if regime else ''}):")
        tab = Table()
        cols = [("k", None), ("β_a", "beta_a"), ("η_a", "eta_a"), ("α_a", "alpha_a")]
        if c["gamma_avg"] is not None:
            cols.append(("γ_avg (after step k)", "gamma_avg"))
        for name, _ in cols:
            tab.add_column(name, justify="right", overflow="fold")
        n = len(c["eta_a"])
        rows = list(range(n)) if n <= 20 else list(range(10)) + [None] + list(range(n - 5, n))
        for k in rows:
            if k is None:
                tab.add_row(*(["..."] * len(cols)))
                continue
            tab.add_row(str(k), *(_fmt(c[key][k]) for _, key in cols[1:]))
        console.print(tab)
        if c["eta_a"] and n > 20:
            console.print("(all steps: --json)")
    if res.step_size is not None:
        console.print("step size K_t: " + ", ".join(_fmt(float(x)) for x in res.step_size[:10])
                      + (" ..." if len(res.step_size) > 10 else ""))
    if j["matches"]:
        for m in j["matches"]:
            hp = ", ".join(f"{notation(k)} = {expression(v)}" for k, v in m["hyperparameters"].items())
            line(console, f"matches [bold]{esc(m['method'])}[/bold] with {esc(hp)} "
                 f"(replayed against the class: max relative deviation {m['max_rel_deviation']:.1e})")
    elif j["verdict"] in ("in-family", "preconditioned", "sign"):
        console.print("matches no registered method")


@formatter(Census, "text")
def render_census(result, console: Console) -> None:
    """One wrapped line per class (a class name is never split): verdict, why, matches; then the counts."""
    from numeric.identify.census import counts

    entries, title, wall = result.entries, result.title, result.wall
    console.print(f"[bold]identify --all {esc(title)}[/]")
    for e in entries:
        matches = ", ".join(m["method"] for m in e.get("matches") or [])
        line(console, f"[bold]{esc(e['target'])}[/]: {esc(e['verdict'])} -- {say(e['reason'])}"
             + (f"; matches {esc(matches)}" if matches else ""))
    c = counts(entries)
    console.print(", ".join(f"{k}: {v}" for k, v in c.items()) + f" ({len(entries)} classes"
                  + (f", {duration(wall, ' s')}" if wall is not None else "") + ")")


# -- convert


@formatter(Conversion, "text")
def render_conversion(conv, console: Console) -> None:
    """always / conditional / never; the conditions; TO's hyperparameters as expressions of FROM's; the values
    and replays with --set."""
    colour = {"always": "green", "conditional": "yellow", "never": "red"}[conv.exists]
    console.print(f"[bold]{esc(conv.from_)} → {esc(conv.to)}[/bold]: [{colour}]{conv.exists}[/{colour}]")
    if conv.exists == "never":
        line(console, f"  why: {say(conv.reason or '')}", 4)
        return
    if conv.inverse and conv.inverse.conditions:
        console.print("  when:")
        for c in conv.inverse.conditions:
            line(console, f"    • {say(c.text)}", 6)
    tab = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    tab.add_column(f"{conv.to}", overflow="fold")
    tab.add_column(f"= (in {conv.from_}'s hyperparameters)", overflow="fold")
    if conv.values is not None:
        tab.add_column("at these values", overflow="fold")
    for name, expr in conv.hyperparameters.items():
        row = [say(name), esc(expression(expr))]
        if conv.values is not None:
            value = conv.values.get(name)
            row.append(esc(expression(value)) if value is not None else "")
        tab.add_row(*row)
    console.print(tab)
    if conv.renamed:
        line(console, "  " + say(", ".join(f"{v} is {conv.from_}'s {k}" for k, v in conv.renamed.items())), 4)
    for note in conv.notes:
        line(console, f"  note: {say(note)}", 4)
    if conv.settings:
        shown = ", ".join(f"{k.name}={v}" for k, v in conv.settings.items())
        if conv.holds_at_values:
            a, b = conv.checked_steps
            line(console, f"  at {esc(shown)}: every condition and TO's domain hold exactly at t = {a}..{b}", 4)
        else:
            line(console, f"  [red]at {esc(shown)}: {say(conv.failure_at_values or '')}[/red]", 4)
    n = conv.numeric
    if n and "max_rel_deviation" in n:
        ok = "[green]agree[/green]" if n["passed"] else "[red]FAILED[/red]"
        line(console, f"  replay of both declared methods ({n['steps']} steps, float64): {ok}, max rel. deviation "
             f"{n['max_rel_deviation']:.1e} (tolerance {n['tolerance']:.1e})", 4)
        ctl = n["control"]
        dev = "—" if ctl["max_rel_deviation"] is None else f"{ctl['max_rel_deviation']:.1e}"
        line(console, f"  negative control ({say(ctl['perturbation'])}): deviation {dev}, "
             + ("[green]rejected[/green]" if n["control_rejected"] else "[red]NOT rejected[/red]"), 4)
    if n and "libraries" in n:
        lib = n["libraries"]
        ok = "[green]agree[/green]" if lib["passed"] else "[red]FAILED[/red]"
        line(console, f"  {esc(lib['from_class'])}({esc(_kw(lib['from_arguments']))}) vs "
             f"{esc(lib['to_class'])}({esc(_kw(lib['to_arguments']))}): {ok}, max rel. deviation "
             f"{lib['max_rel_deviation']:.1e} (tolerance {lib['tolerance']:.0e})", 4)


def _kw(kw: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kw.items())



@formatter(ConversionTable, "text")
def render_conversion_table(result, console: Console) -> None:
    """The pair matrix where it fits the console; otherwise one wrapped line per FROM."""
    from rich import box

    rows, seconds = result.rows, result.seconds
    keys = list(dict.fromkeys(r.from_ for r in rows))
    cell = {(r.from_, r.to): r.exists for r in rows}
    mark = {"always": "[green]✓[/green]", "conditional": "[yellow]◦[/yellow]", "never": "[red]×[/red]"}
    console.print("verify convert --table: rows FROM, columns TO (✓ always, ◦ under a condition, × never)")
    tab = Table(box=box.SIMPLE, pad_edge=False, padding=(0, 0))
    tab.add_column("FROM \\ TO", no_wrap=True)
    for i, _ in enumerate(keys):
        tab.add_column(f"{i + 1:>2}", justify="center", no_wrap=True)
    for i, a in enumerate(keys):
        tab.add_row(f"{i + 1:>2} {esc(a)} ", *[mark[cell[(a, b)]] for b in keys])
    if console.measure(tab, options=console.options.update_width(1 << 16)).maximum <= console.width:
        console.print(tab)
        console.print("columns: " + ", ".join(f"{i + 1} {esc(k)}" for i, k in enumerate(keys)))
    else:
        for a in keys:
            parts = [f"{mark[kind]} {', '.join(esc(b) for b in keys if cell[(a, b)] == kind)}"
                     for kind in mark if any(cell[(a, b)] == kind for b in keys)]
            console.print(f"[bold]{esc(a)}[/] → " + "; ".join(parts))
    counts = {k: sum(1 for r in rows if r.exists == k) for k in mark}
    console.print(f"{len(rows)} pairs: {counts['always']} always, {counts['conditional']} conditional, "
                  f"{counts['never']} never ({duration(seconds, ' s')})")
