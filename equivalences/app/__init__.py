"""The application layer: the verification pipeline, the CLI, renderers and the appendix.

It sits on both the symbolic core (:mod:`equivalences`) and the replays (:mod:`numeric`); neither of
those imports it.
"""

from . import notebook  # noqa: E402,F401 -- the notebook views of the results (HTML, LaTeX, Markdown, show())
