"""The one error type a user sees: it names the file and, where known, the line or row."""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """Bad input in a publication's sources or templates.

    ``line`` is the 1-based line of the file (for CSV files, the physical line of the row,
    header = line 1), so that an editor can jump straight to it.
    """

    def __init__(self, path: str | Path, message: str, line: int | None = None,
                 column: str | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {self.message}"
