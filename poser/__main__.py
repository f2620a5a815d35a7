"""`python -m poser ...` is the `poser` command."""

from poser.entry_points.main import cli

cli()
