"""``heavyball``: not mapped yet (its SFAdamW, AdEMAMix and SGD are chains of transforms with their own
storage dtypes and compilation flags; see docs/libraries.md, "Left undone")."""

ADAPTERS = ()
