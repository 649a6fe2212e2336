"""The `findings` command line: thin over the stages; errors become messages and exit codes.

`app` builds the Typer app and registers the commands of `build` (ingest, embed, themes, run,
serve, status), `ask` (query, search) and `exchange` (export, import). The `findings` script
and `python -m pipeline.cli` both start `pipeline.cli:app`.
"""

from pipeline.cli.app import app

__all__ = ["app"]
