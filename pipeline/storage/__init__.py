"""The DuckDB warehouse: connections, migrations and named SQL; all database I/O is here."""

from pipeline.storage.database import connect, open_warehouse
from pipeline.storage.migrations import applied_migrations, apply_migrations
from pipeline.storage.named_sql import named_queries

__all__ = [
    "applied_migrations",
    "apply_migrations",
    "connect",
    "named_queries",
    "open_warehouse",
]
