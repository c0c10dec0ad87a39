"""METHOD is not a Method."""
METHOD = {"key": "not-a-method"}
