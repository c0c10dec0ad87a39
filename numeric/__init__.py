"""Torch replays of a declared method and of its accelerated form, side by side.

Imports torch; the symbolic package :mod:`equivalences` never imports this.
"""
from .replay import ReplayResult, replay

__all__ = ["ReplayResult", "replay"]
