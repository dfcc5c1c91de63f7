"""One Snakemake run of the preview's targets, and the errors an editor reads from it.

The errors come from build/logs/last-run.json, which the workflow's logger plugin writes
after every run ({"ok": …, "errors": [{"file", "line", "message", "text"}], "log": …}),
when it was written by this run; without it, from the run's own ``error: file:line:
message`` lines (what every step prints for a fault in the sources)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ERROR_LINE = re.compile(r"^error: (?P<text>(?:(?P<file>[^\s:][^:\n]*?)(?::(?P<line>\d+))?: )?"
                        r"(?P<message>.+?))\s*$", re.MULTILINE)
# Snakemake's own stops (a lock held by another run, a rule it cannot find): its
# "Error: …" / "…Error: …" lines, shown when no step said anything.
SNAKEMAKE_ERROR = re.compile(r"^(?:\w*Error|\w*Exception): .+$", re.MULTILINE)
LAST_RUN = Path("build") / "logs" / "last-run.json"


@dataclass
class RunResult:
    ok: bool
    errors: list[dict] = field(default_factory=list)
    log: str | None = None  # where the run's full output is


def error_entry(text: str) -> dict:
    """{"file", "line", "message", "text"} of one ``file:line: message`` text."""
    m = ERROR_LINE.match(f"error: {text}")
    line = m["line"] if m else None
    return {"file": m["file"] if m else None, "line": int(line) if line else None,
            "message": m["message"] if m else text, "text": text}


def errors_from_output(output: str) -> list[dict]:
    """Each ``error: …`` line of a run's output once (a fault in a data file stops both
    the model and the charts that read it: the same line twice)."""
    texts = dict.fromkeys(m["text"] for m in ERROR_LINE.finditer(output))
    return [error_entry(t) for t in texts]


def errors_from_last_run(project: Path, started: float) -> tuple[list[dict], str | None] | None:
    """The errors and log path the logger plugin wrote for the run that started at
    ``started``, or None when it wrote nothing since (no plugin, or it did not run)."""
    path = project / LAST_RUN
    try:
        if path.stat().st_mtime < started:
            return None
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or not isinstance(report.get("errors", []), list):
        return None
    errors = []
    for e in report.get("errors", []):
        if isinstance(e, dict) and e.get("text"):
            errors.append({"file": e.get("file"), "line": e.get("line"),
                           "message": e.get("message") or e["text"], "text": str(e["text"])})
        elif isinstance(e, str):
            errors.append(error_entry(e))
    return errors, report.get("log")


class SnakemakeRunner:
    """Runs ``python -m snakemake`` in the project, one run at a time, the output of each
    target's last run kept in ``log_dir`` (snakemake-<target file name>.log);
    ``interrupt()`` stops the run in progress as Ctrl-C would."""

    def __init__(self, project: Path, log_dir: Path, cores: str = "all"):
        self.project, self.log_dir, self.cores = project, log_dir, cores
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def command(self, targets: list[str]) -> list[str]:
        # --rerun-incomplete: a run the preview interrupted (or Ctrl-C) leaves incomplete
        # files that would otherwise stop every later run.
        return [sys.executable, "-m", "snakemake", "--cores", self.cores,
                "--rerun-incomplete", *targets]

    def run(self, targets: list[str]) -> RunResult:
        started = time.time()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"snakemake-{Path(targets[0]).name}.log"
        with open(log_path, "wb") as log:
            with self._lock:
                # A session of its own: the terminal's Ctrl-C reaches the preview, which
                # then stops the run itself (interrupt), not Snakemake and its jobs first.
                self._proc = subprocess.Popen(self.command(targets), cwd=self.project,
                                              stdin=subprocess.DEVNULL, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True)
            code = self._proc.wait()
            with self._lock:
                self._proc = None
        output = log_path.read_text(encoding="utf-8", errors="replace")
        found = errors_from_last_run(self.project, started)
        errors, log = found if found else (errors_from_output(output), None)
        if isinstance(log, str) and log:
            log = str(self.project / log)  # the plugin's is relative to the project
        if code != 0 and not errors:
            errors = errors_from_output(output) or [error_entry(
                (SNAKEMAKE_ERROR.findall(output) or ["the build failed: see its log"])[-1]
                .strip())]
        return RunResult(ok=code == 0, errors=errors if code != 0 else [],
                         log=log or str(log_path))

    def interrupt(self, wait: bool = True, timeout: float = 15.0) -> None:
        """Stop the run in progress, if any: SIGINT to Snakemake and its jobs (it then
        removes the files it was making). With ``wait``, until it has ended, SIGKILL if it
        has not within ``timeout`` seconds."""
        with self._lock:
            proc = self._proc
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGINT)
            if wait:
                proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it has just ended
