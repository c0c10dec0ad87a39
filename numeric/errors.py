"""The replay's one error: a setting it cannot use (below :mod:`numeric.compile` and :mod:`numeric.sums`, which
both raise it)."""


class ConfigError(ValueError):
    """A hyperparameter setting the replay cannot use (missing value, non-finite coefficient)."""
