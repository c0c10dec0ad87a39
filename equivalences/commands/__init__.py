"""CLI commands, one module each: ``configure(parser)`` adds the arguments, ``run(args)`` prints and returns the
exit code."""
