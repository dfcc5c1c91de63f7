"""Rebuilding on a change: the web edition first (the page reloads as soon as it is
ready), then the screen PDF in a second run. Saves that come quickly one after another
make one rebuild; a save during a rebuild makes one more after it, and a save while the
PDF is being made stops that run (the PDF is made again after the next web edition: an
editor waits for the page, which would otherwise wait for a PDF already out of date)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from .snakemake_run import SnakemakeRunner
from .state import KeptFiles, PreviewState

# How long the sources must stay unchanged before a rebuild starts: an editor's save of
# several files (or a save that writes, renames and touches) becomes one rebuild.
SETTLE = 0.1
HTML, PDF = "whitepaper.html", "whitepaper.pdf"


class Rebuilder(threading.Thread):
    def __init__(self, project: Path, pub: str, runner: SnakemakeRunner, state: PreviewState,
                 files: KeptFiles, settle: float = SETTLE):
        super().__init__(name="preview-rebuild", daemon=True)
        self.project, self.pub, self.runner = project, pub, runner
        self.state, self.files, self.settle = state, files, settle
        self._cond = threading.Condition()
        self._pending = True  # the first build: what is in build/ may be older than sources
        self._changed_at = 0.0
        self._stopping = False
        self._making_pdf = False

    def changed(self, paths: list[str]) -> None:
        """The watcher saw ``paths`` change."""
        with self._cond:
            self._pending = True
            self._changed_at = time.monotonic()
            self._cond.notify_all()
            if self._making_pdf:  # (under the lock: it is the PDF's run that is stopped)
                self.runner.interrupt(wait=False)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self.runner.interrupt()

    def _next(self) -> bool:
        """Wait for a change, then for the sources to settle; False when stopping."""
        with self._cond:
            while True:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                if self._stopping:
                    return False
                quiet = time.monotonic() - self._changed_at
                if quiet >= self.settle:
                    self._pending = False
                    return True
                self._cond.wait(self.settle - quiet)

    def _more_to_do(self) -> bool:
        with self._cond:
            return self._pending or self._stopping

    def run(self) -> None:
        while self._next():
            self.rebuild()

    def target(self, name: str) -> str:
        return f"build/{self.pub}/{name}"

    def rebuild(self) -> None:
        self.state.update(building="html")
        result = self.runner.run([self.target(HTML)])
        new = result.ok and self.files.keep(self.project / self.target(HTML), HTML)
        # One update: a page that reloads for the new version never sees the old errors.
        self.state.update(version=self.state.version + new, errors=result.errors,
                          log=result.log, building="pdf" if result.ok else None)
        # The PDF waits when the sources changed again meanwhile: the next web edition
        # comes first (and the PDF is made after it).
        if not result.ok or self._more_to_do():
            self.state.update(building=None)
            return
        with self._cond:
            self._making_pdf = True
        try:
            result = self.runner.run([self.target(PDF)])
        finally:
            with self._cond:
                self._making_pdf = False
        new = result.ok and self.files.keep(self.project / self.target(PDF), PDF)
        if not result.ok and self._more_to_do():
            result.errors = []  # stopped on purpose (a new save, or Ctrl-C), not a fault
        self.state.update(pdf_version=self.state.pdf_version + new, errors=result.errors,
                          log=result.log, building=None)
