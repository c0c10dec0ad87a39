"""Defines no METHOD."""
SOMETHING_ELSE = 1
