"""The application layer: the verification pipeline, the CLI, renderers and the appendix.

It sits on both the symbolic core (:mod:`equivalences`) and the replays (:mod:`numeric`); neither of
those imports it.
"""
