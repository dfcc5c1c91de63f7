"""What the preview shows, shared between the rebuilding thread and the page's requests:
the last good edition of each kind (kept in build/<pub>/preview/, since Snakemake deletes
a step's outputs before it runs it and after it fails), whether a build runs, and the
errors of the last one."""

from __future__ import annotations

import os
import threading
from pathlib import Path


class PreviewState:
    """``version`` counts the web editions served (the page reloads when it changes);
    every change notifies the pages waiting on ``wait``."""

    def __init__(self):
        self._cond = threading.Condition()
        self.serial = 0  # counts changes of anything below
        self.version = 0
        self.pdf_version = 0
        self.building: str | None = None  # "html", "pdf" or None
        self.errors: list[dict] = []
        self.log: str | None = None
        self.stopping = False

    def update(self, **changes) -> None:
        with self._cond:
            for name, value in changes.items():
                setattr(self, name, value)
            self.serial += 1
            self._cond.notify_all()

    def as_dict(self) -> dict:
        return {"version": self.version, "pdf_version": self.pdf_version,
                "building": self.building, "errors": self.errors, "log": self.log}

    def current(self) -> tuple[int, dict]:
        """(serial, state), read together (never half of one update)."""
        with self._cond:
            return self.serial, self.as_dict()

    def wait(self, seen: int, timeout: float) -> tuple[int, dict | None]:
        """(serial, state) once the state has changed since serial ``seen``; (seen, None)
        after ``timeout`` seconds without a change or when the preview stops."""
        with self._cond:
            self._cond.wait_for(lambda: self.serial != seen or self.stopping, timeout)
            if self.serial == seen or self.stopping:
                return seen, None
            return self.serial, self.as_dict()

    def stop(self) -> None:
        self.update(stopping=True)


class KeptFiles:
    """The last good copy of each served file, in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def keep(self, built: Path, name: str) -> bool:
        """Copy ``built`` in as ``name`` (whole or not at all: a page being read never sees
        half a file); True if it differs from the copy it replaces."""
        kept = self.path(name)
        data = built.read_bytes()
        if kept.exists() and kept.read_bytes() == data:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        part = kept.with_name(f".{name}.part")
        part.write_bytes(data)
        os.replace(part, kept)
        return True

    def read(self, name: str) -> bytes | None:
        try:
            return self.path(name).read_bytes()
        except OSError:
            return None


