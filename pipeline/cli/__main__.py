"""`python -m pipeline.cli`: the same app, with the same commands, as the `findings` script."""

from pipeline.cli import app

app()
