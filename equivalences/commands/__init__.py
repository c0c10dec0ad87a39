"""Command-line commands, one module each: ``configure(parser)`` adds its arguments, ``run(args)`` returns the
exit code."""
