"""One module per CLI command: ``configure(parser)`` adds its arguments, ``run(args)`` prints and returns the exit code."""
