"""paperpress's Snakemake logger plugin: the console an editor reads.

Selected by the workflow's profile (`logger: [paperpress]`, profiles/default/profile.yaml);
Snakemake finds it by its module name (snakemake_logger_plugin_<name>) on the import path,
where `pip install -e .` puts this project's src/. It writes to the console, so it takes the
place of Snakemake's own console output:

- while the build runs, one line per finished step: `[3/16] hunan-bri-2023: PDF (whitepaper)`;
- at the end, each problem once as `error: FILE:LINE: message` (a step's own output, which
  never reaches Snakemake's logger, is read from its log file, build/<pub>/logs/, when it
  fails), then which publications were not published and where the full log is;
- the full log (all Snakemake says, in its own words, with the log of each failed step) in
  build/logs/<time>.log, and the run's record in build/logs/last-run.json.

A dry run (`snakemake -n`) lists its jobs as Snakemake does and writes no file.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import threading
from pathlib import Path

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

from .run import Run, error_entry, snakemake_error

LOG_DIR = Path("build/logs")
RECORD = LOG_DIR / "last-run.json"
KEEP_LOGS = 20  # the full logs of the last runs; older ones go
# Snakemake's plain messages shown on the console as they come (the rest: the full log).
SHOWN = ("Nothing to be done", "Removed the lock")


class LogHandler(LogHandlerBase):
    def __post_init__(self) -> None:
        from snakemake.logging import DefaultFilter, DefaultFormatter

        settings = self.common_settings
        self.dryrun = bool(settings.dryrun)
        # Snakemake's own wording, for the full log (with a failed step's log) and a dry run.
        self.full_formatter = DefaultFormatter(settings.quiet, show_failed_logs=True)
        self.dry_formatter = DefaultFormatter(settings.quiet, show_failed_logs=False)
        self.dry_said = set()
        self.dry_filter = DefaultFilter(settings.quiet, settings.debug_dag, settings.verbose,
                                        settings.dryrun, settings.printshellcmds)
        self.out = sys.stdout if settings.stdout else sys.stderr
        self.run: Run | None = None
        self.full_log = None  # opened at the first record: by then Snakemake is in the
        self.project: Path | None = None  # project's folder (--directory)
        # Made before Snakemake enters the project (--directory): where the user is, to
        # show the full log's path from there.
        self.rundir = os.getcwd()
        self.closed = False
        self.state_lock = threading.RLock()  # (not `lock`: logging.Handler has its own)

    # The plugin's kind, as Snakemake asks it.
    @property
    def writes_to_stream(self) -> bool:
        return True  # in place of Snakemake's console output

    @property
    def writes_to_file(self) -> bool:
        return False  # (it does write a file, but Snakemake allows a handler one kind)

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def emit(self, record) -> None:
        try:
            with self.state_lock:
                if self.dryrun:
                    self._dry(record)
                else:
                    self._take(record)
        except Exception:
            self.handleError(record)

    def _say(self, line: str, stream=None) -> None:
        stream = stream or self.out
        stream.write(line + "\n")
        stream.flush()

    def _dry(self, record) -> None:
        """A dry run: what Snakemake would print, but a source error as its one line."""
        if (getattr(record, "exception", None) == "SourceError"
                or (record.levelno == 30 and record.getMessage().startswith("error: "))):
            if record.getMessage() not in self.dry_said:  # a fault shared by publications
                self.dry_said.add(record.getMessage())
                self._say(record.getMessage(), sys.stderr)
        elif self.dry_filter.filter(record):
            text = self.dry_formatter.format(record)
            if text and text != "None":
                self._say(text, sys.stderr if record.levelno >= 40 else self.out)

    def _start(self) -> None:
        self.project = Path.cwd()
        self.run = Run(self.project)
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H%M%S")
        self.log_path = LOG_DIR / f"{stamp}-{os.getpid()}.log"
        self.full_log = open(self.log_path, "w", encoding="utf-8")
        for old in sorted(LOG_DIR.glob("*.log"), key=lambda p: p.stat().st_mtime)[:-KEEP_LOGS]:
            old.unlink(missing_ok=True)

    def _take(self, record) -> None:
        if self.run is None:
            self._start()
        run = self.run
        text = self.full_formatter.format(record)
        if text and text != "None":
            self.full_log.write(text + "\n")
            self.full_log.flush()
        event = getattr(record, "event", None)
        if event == LogEvent.RUN_INFO and run.total is None and getattr(record, "stats", None):
            run.set_total(record.stats, publications(self.project))
        elif event == LogEvent.JOB_INFO:
            run.started(record.jobid, record.rule_name, dict(record.wildcards or {}),
                        [str(p) for p in record.log or []])
        elif event == LogEvent.JOB_FINISHED:
            line = run.finished(record.job_id)
            if line:
                self._say(line)
        elif event == LogEvent.JOB_ERROR:
            line = run.job_failed(record.jobid)
            if line:
                self._say(line)
        elif record.levelno >= 40:  # an error of Snakemake's, or the workflow's
            run.failed = True
            kind = getattr(record, "exception", None)
            if kind == "SourceError":
                message = record.getMessage()
                run.add_error(error_entry(message.removeprefix("error: "), self.project))
            elif kind == "RuleException" or event != LogEvent.ERROR:
                pass  # a failed step (its JOB_ERROR), or "Exiting because a job failed"
            elif kind == "WorkflowError" and "did not complete" in record.getMessage():
                pass  # the run's end after failed steps
            elif kind == "LockException":
                # The workflow removes a lock no snakemake holds (paperpress/stalelock.py):
                # this one is another run's, still working here.
                message = ("another snakemake is building in this folder: wait for it to"
                           " finish (if none is running, `snakemake --unlock`)")
                run.add_error({"file": "", "line": None, "message": message, "text": message})
            else:
                message = snakemake_error(record.getMessage())
                run.add_error({"file": "", "line": None, "message": message,
                               "text": message})  # in no file: a target, a lock
        elif record.levelno == 30 and text.startswith("error: "):
            # A publication's sources at fault (common.smk): its step sources_fault fails
            # saying the same, listed once at the end.
            run.add_error(error_entry(text.removeprefix("error: "), self.project))
        elif record.levelno == 30 and text:
            self._say(text)  # Snakemake's warnings (rare in a build; `--lint` says all)
        elif event is None and record.levelno == 20:
            message = record.getMessage()
            if message.startswith(SHOWN):
                self._say(message)

    def close(self) -> None:
        with self.state_lock:
            if self.closed or self.dryrun or self.run is None:
                self.closed = True
                return super().close()
            self.closed = True
            try:
                self._finish()
            finally:
                self.full_log.close()
        super().close()

    def _finish(self) -> None:
        from paperpress.atomic import write_text

        run = self.run
        shown = str(self.project / self.log_path)
        relative = os.path.relpath(shown, self.rundir)
        if not relative.startswith(".."):
            shown = relative
        lines = run.summary(shown, publications(self.project))
        for line in lines:
            self.full_log.write(line + "\n")
        for line in lines:
            self._say(line)
        write_text(self.project / RECORD,
                   json.dumps(run.record(str(self.log_path)), ensure_ascii=False, indent=1)
                   + "\n")


def publications(project: Path) -> list[str]:
    return sorted(p.parent.name for p in project.glob("sources/*/publication.yaml"))
