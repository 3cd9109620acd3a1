"""The project's own errors.

Library errors (duckdb.Error, OSError, tomllib errors) are converted into these at
the boundary, so every command can print one clear line instead of a traceback.
"""

from __future__ import annotations


class VigieError(Exception):
    """Base of every error a user may see. ``str()`` is the message to print."""


class ConfigError(VigieError):
    """A configuration problem, located by file, entry and field."""

    def __init__(self, file: str, entry: str | None, field: str | None, message: str):
        self.file = str(file)
        self.entry = entry
        self.field = field
        self.message = message
        where = self.file
        if entry:
            where += f", {entry}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


class ConfigErrors(VigieError):
    """Several configuration problems found in one pass (users fix them all at once)."""

    def __init__(self, errors: list[ConfigError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class StorageError(VigieError):
    """The database cannot be opened, read or written."""


class DatabaseBusy(StorageError):
    """Another process holds the database lock for longer than we are willing to wait."""
