"""The terminal views of every result, registered with :func:`equivalences.app.output.formatter`.

Readable at any width from 60 columns: cells fold rather than being cut, titles are wrapped text
(never a panel title that rich would truncate), and every user-visible string is escaped.
"""

from __future__ import annotations

from .layout import BAD, OK, duration, equation, expression, hang, line, notation, say, text
from .report import _numeric, cannot_judge, render_report, replayed_values
from .report_set import render_all, render_set
from .methods import render_list
from .libraries import render_libraries
from .mutations import render_suites
from .paper_claims import render_paper_claims
from .identify import render_census, render_identification
from .conversion import render_conversion, render_conversion_table
