"""The LaTeX appendix: checked chains, errata exactly for failing claims, fragment mode, atomic writes, CLI."""
import os
import re
from pathlib import Path

import pytest

from equivalences import registry
from equivalences.app.appendix import COMMAND, generate
from equivalences.app.cli import main
from equivalences.chains import ChainBuilder, UncheckedStep, derivations
from equivalences.files import OutputError, atomic_path, write_text
from equivalences.prove import bindings
from equivalences.app.pipeline import verify
from equivalences.symbols import t, w
from equivalences.system import StepSystem

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reports():
    return [verify(name, numeric=False) for name in registry.names()]


@pytest.fixture(scope="module")
def document(reports):
    return generate(reports=reports)


def test_checked_in_appendix_is_current(document):
    """docs/appendix.tex is exactly what the code generates now."""
    checked_in = (ROOT / "docs" / "appendix.tex").read_text(encoding="utf-8")
    assert checked_in == document, f"docs/appendix.tex is stale: regenerate it with `{COMMAND}` (then rebuild " \
                                   f"docs/appendix.pdf with pdflatex)"


def _sections(document):
    parts = re.split(r"\\section\{", document)[1:]
    return {re.search(r"\\label\{oe:([^}]*)\}", p).group(1): p for p in parts}


def test_an_erratum_exactly_for_each_failing_claim(reports, document):
    sections = _sections(document)
    # + the statements of no method, + the conversion table of every pair
    assert set(sections) == {r.method.key for r in reports} | {"statements", "convert"}
    assert r"\label{tab:convert}" in sections["convert"] and sections["convert"].count(r"\texttt{") > len(reports)
    assert len(reports) == len(registry.names())
    failing_total = 0
    for r in reports:
        body = sections[r.method.key]
        failing = [c for c in r.claims if not c.holds]
        failing_total += len(failing)
        assert body.count(r"\OEerratum{") == len(failing), r.method.key
        assert body.count(r"\OEfail}") + body.count(r"\OEfail ") >= len(failing)
        assert body.count(r"\OEhold") == r.claims_holding, r.method.key
    assert failing_total == 19  # the findings the README lists, and those of the prose (tests/test_prose_claims.py)
    from equivalences.paper_prose import check_all

    assert sections["statements"].count(r"\OEerratum{") == sum(not c.holds for c in check_all())


def _report(reports, key):
    return next(r for r in reports if r.method.key == key)


def test_fragment_has_no_preamble_and_provides_its_macros(reports):
    one = [_report(reports, "heavy-ball")]
    frag = generate(reports=one, fragment=True)
    assert r"\documentclass" not in frag and r"\begin{document}" not in frag and r"\end{document}" not in frag
    for macro in ("OEhold", "OEfail", "OEerratum", "OEnote", "OEfigure"):
        assert f"\\providecommand{{\\{macro}}}" in frag
    full = generate(reports=one)
    assert full.count(r"\documentclass") == 1 and full.rstrip().endswith(r"\end{document}")


def test_a_wrong_step_is_refused(reports):
    report = _report(reports, "schedule-free")
    method, y = report.method, report.method.query
    b = ChainBuilder(StepSystem(method), bindings(method, report.map), "weight update", w(t + 1))
    b.step(y(t + 1))  # w_{a,t+1} is the query point: holds
    with pytest.raises(UncheckedStep):
        b.step(y(t))  # one index off: must not be displayed
    assert len(b.chain.steps) == 1


def test_every_chain_ends_at_the_identity_it_proves(reports):
    for key in ("schedule-free", "mars"):
        report = _report(reports, key)
        chains = derivations(report.method, report.map, report.proof)
        assert {i.name for i in report.proof.identities} <= set(chains)
        system = StepSystem(report.method)
        table = bindings(report.method, report.map)
        for ident in report.proof.identities:
            chain = chains[ident.name]
            assert chain.lhs == ident.lhs and len(chain.steps) >= 2
            if chain.semantics == "start":  # the base case: at the standard start values
                assert ident.name == "initial state" and chain.rhs.has(report.method.input(report.method.t0))
                continue
            assert ChainBuilder(system, table, ident.name, chain.lhs).check(chain.rhs, ident.rhs) == 0


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.tex"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            Path(tmp).write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            Path(tmp).write_text("new")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]
    write_text(target, "new")
    assert target.read_text() == "new" and list(tmp_path.iterdir()) == [target]


def test_missing_or_unwritable_directory_is_one_clear_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist; create it"):
        write_text(tmp_path / "nope" / "a.tex", "x")
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        with pytest.raises(OutputError, match="no permission"):
            write_text(ro / "a.tex", "x")


def test_cli_appendix(tmp_path, capsys):
    out = tmp_path / "a.tex"
    assert main(["appendix", "heavy-ball", "-o", str(out)]) == 0
    text = out.read_text()
    assert r"\documentclass" in text and "Heavy-ball" in text and "Schedule-Free" not in text
    assert main(["appendix", "heavy-ball", "-o", str(out), "--fragment"]) == 0
    assert r"\documentclass" not in out.read_text()
    capsys.readouterr()

    missing = tmp_path / "missing" / "a.tex"
    assert main(["appendix", "heavy-ball", "-o", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and "Traceback" not in err
    assert not missing.parent.exists()

    assert main(["appendix", "heavy-bal", "-o", str(tmp_path / "b.tex")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "verify: error: unknown method 'heavy-bal': did you mean 'heavy-ball'?"
    assert not (tmp_path / "b.tex").exists()

    assert main(["appendix", "heavy-ball"]) == 2  # -o is required
    assert "-o" in capsys.readouterr().err


# -- LaTeX quality: what a paper that \input's the fragment gets (pdflatex itself runs in .ci/run) --------------
def _outside_math(tex: str) -> str:
    """``tex`` without its inline math, displays and alignments: the text a reader reads as words."""
    tex = re.sub(r"\\begin\{(align\*|aligned|equation\*)\}.*?\\end\{\1\}", " ", tex, flags=re.S)
    tex = re.sub(r"\\\[.*?\\\]", " ", tex, flags=re.S)
    return re.sub(r"(?<!\\)\$[^$]*\$", " ", tex)


def test_no_code_notation_in_the_appendix(document):
    """Relations as \\le, \\ge, \\ne, \\leftarrow, \\sim; products without '*'; SymPy's oo as \\infty."""
    for code in (r"\textless", r"\textgreater", r"\textasciitilde", r"\textasciicircum"):
        assert code not in document, code
    assert not re.search(r"\boo\b", document)  # 0 < C < oo
    assert "*" not in re.sub(r"[A-Za-z]\*", "", document)  # align*, \tag*, \section* aside
    text = _outside_math(document)
    for code in ("<=", ">=", "!=", "<-", "->", "**"):
        assert code not in text, code
    assert r"\text{(a constant, $0 < C < \infty$)}" in document  # a placeholder's words are text


def test_multi_letter_names_are_upright(document):
    ours = re.sub(r"the paper prints \$[^$]*\$", "", document)  # the paper's own LaTeX, quoted as printed
    assert not re.findall(r"_\{[A-Za-z]{2,}", ours)  # \alpha_{max}, T_{alpha,beta3}, g_{alg3,t}
    assert not re.findall(r"(?<![\\A-Za-z{])[a-z]{2,}_\{", ours)  # wavg_{t}, lr_{t}
    for name in ("wavg", "lr", "nesterov", "max"):
        assert f"\\mathrm{{{name}}}" in document
    assert r"T_{\alpha,\beta_{3}}" in document


def test_the_fragment_needs_only_the_packages_it_names(reports):
    frag = generate(reports=reports[:3], fragment=True)
    assert "% Fragment for \\input: the document must load amsmath, amssymb.\n" in frag
    body = frag.split(r"\providecommand{\OEfigure}")[1].split("\n", 2)[2]  # after the macros
    for command in (r"\rotatebox", r"\includegraphics", r"\textcolor", r"\fcolorbox", r"\resizebox", r"\usepackage"):
        assert command not in body, command


def test_claim_references_fit_beside_or_above_their_equations(document):
    """A tag wider than a line goes past the left margin; a long reference is set above its equation."""
    from equivalences.app.appendix import TAG, tex_width

    tags = re.findall(r"\\tag\*\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}", document)
    assert tags and max(tex_width(t) for t in tags) <= 60
    claims = [t for t in tags if r"\OEhold" in t or r"\OEfail" in t]
    assert claims and all(tex_width(t) <= TAG + 12 for t in claims)
    assert r"\par\noindent{\footnotesize \ensuremath{\mathsection}4.4 ($\alpha$ proportional to $t$" in document


def test_figures_are_numbered_floats_with_captions(reports):
    one = [_report(reports, "heavy-ball")]
    frag = generate(reports=one, fragment=True, figures="fig")
    assert "and graphicx (for the figures)" in frag
    macro = re.search(r"\\providecommand\{\\OEfigure\}\[3\](.*?\{\}\})\n", frag, flags=re.S).group(1)
    assert r"\begin{figure}" in macro and r"\caption{#3}" in macro and r"\label{#2}" in macro
    call = re.search(r"\\OEfigure\{fig/heavy-ball\.pdf\}\{fig:oe:heavy-ball\}\{(.+)\}$", frag, flags=re.M)
    assert call and call.group(1).startswith("Heavy-ball momentum")


def test_prose_formulas_become_math_and_words_stay_text():
    from equivalences.prose_tex import math_text, tex_prose

    assert tex_prose("for all t >= 1") == r"for all $t \ge 1$"
    assert tex_prose("each step: 0 <= weight of y_t <= 1") == r"each step: $0 \le$ weight of $y_{t} \le 1$"
    assert tex_prose("Alg. 3 (g <- -grad, then w <- w - eta N)") == \
        r"Alg. 3 ($g \leftarrow -\mathrm{grad}$, then $w \leftarrow w - \eta N$)"
    assert tex_prose("coefficient -mu**2*(1 - tau(2))*lr(4) (e.g. -9/10 at beta3 = 9/10)") == \
        r"coefficient $-\mu^{2}\,(1 - \tau_{2})\,\mathrm{lr}_{4}$ (e.g. $-9/10$ at $\beta_{3} = 9/10$)"
    assert tex_prose("the newest weight ~ 1/(delta t), 10%") == r"the newest weight $\sim 1/(\delta t)$, 10\%"
    assert tex_prose("App. B.1, lines 4-8: a uniform average; the method's state") == \
        "App. B.1, lines 4-8: a uniform average; the method's state"
    assert tex_prose("§4.1.1 (beta = 0: SGD)") == r"\ensuremath{\mathsection}4.1.1 ($\beta = 0$: SGD)"
    assert tex_prose("warmup 1 <= t <= T_(alpha,beta3) = 400") == r"warmup $1 \le t \le T_{\alpha,\beta_{3}} = 400$"
    assert math_text("η_a read one step late") == r"$\eta_{a}$ read one step late"


def test_tex_printer_names():
    import sympy as sp

    from equivalences.claim_kinds import POSITIVE_CONSTANT
    from equivalences.printing import latex

    assert latex(sp.Symbol("alpha_max")) == r"\alpha_{\mathrm{max}}"
    assert latex(sp.Function("lr")(t)) == r"\mathrm{lr}_{t}" and latex(sp.Function("beta3")(t)) == r"\beta_{3,t}"
    assert latex(POSITIVE_CONSTANT) == r"C\ \text{(a constant, $0 < C < \infty$)}"
