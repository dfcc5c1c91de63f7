"""What one Snakemake run did, as the logger plugin learns it from Snakemake's log records:
its steps, their progress, each problem once, and the record written at the end
(build/logs/last-run.json). Plain functions and data, no Snakemake: tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The console's name for each step (a rule and its wildcards); a rule not named here is
# shown by its name and wildcards.
STEP_LABELS = {
    "document_model": "document model",
    "sources_fault": "sources",
    "chart": "chart {chart}",
    "image_png": "picture {image} for Word",
    "whitepaper_html": "HTML (whitepaper)",
    "brief_html": "HTML (brief)",
    "pdf": "PDF ({edition})",
    "pdf_press": "press PDF ({edition})",
    "whitepaper_docx": "Word (whitepaper)",
    "brief_docx": "Word (brief)",
    "preflight": "preflight ({pdf})",
    "numbers": "where each number comes from",
    "crosscheck": "every edition checked against the model",
    "publish": "published in output/{pub}",
}

# `error: FILE:LINE: message` as the paperpress command prints a SourceError (cli.py), and
# `FILE:LINE: message` for the further faults of a file it lists on the lines after.
ERROR_LINE = re.compile(r"^error: (?P<text>.*)$")
WHERE = re.compile(r"^(?P<file>[^\s:][^:]*?):(?:(?P<line>\d+):)? (?P<message>.*)$")
# What a step that succeeded wants the editor to see: `FILE:LINE: warning: message`.
WARNING_LINE = re.compile(r"^[^\s:][^:]*:(?:\d+:)? warning: ")
FURTHER_FAULT = re.compile(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+): (?P<message>.*)$")


def error_entry(text: str, project: Path | None = None) -> dict:
    """One problem as the run record holds it: {file, line, message, text}, from
    ``FILE:LINE: message`` or ``FILE: message`` (a path inside ``project`` made relative)."""
    m = WHERE.match(text)
    if not m:
        return {"file": "", "line": None, "message": text, "text": text}
    file, line, message = m["file"], m["line"], m["message"]
    if project is not None and Path(file).is_absolute():
        try:
            file = str(Path(file).relative_to(project))
        except ValueError:
            pass
    line = int(line) if line else None
    where = file if line is None else f"{file}:{line}"
    return {"file": file, "line": line, "message": message, "text": f"{where}: {message}"}


def errors_in_log(text: str, project: Path | None = None) -> list[dict]:
    """The problems a failed step's log names: each `error:` line, and the further faults
    listed under it; a line such as '... and 3 more' is added to the one before."""
    found: list[dict] = []
    in_error = False
    for line in text.splitlines():
        m = ERROR_LINE.match(line)
        if m:
            found.append(error_entry(m["text"], project))
            in_error = True
        elif in_error and FURTHER_FAULT.match(line):
            found.append(error_entry(line, project))
        elif in_error and line.strip():
            last = found[-1]
            last["message"] += f" {line.strip()}"
            last["text"] += f" {line.strip()}"
        else:
            in_error = False
    return found


def snakemake_error(message: str) -> str:
    """A Snakemake error (not a step's: a missing rule, a lock, an input function that
    failed) as one line: its message without the header naming workflow files and without
    a traceback."""
    lines = [l.strip() for l in message.splitlines()]
    if lines and re.match(r"^\w+( in .*)?:$", lines[0]):
        lines = lines[1:]  # "MissingRuleException in file ..., line 3:"
    kept = []
    for line in lines:
        if line in ("Traceback:", "Wildcards:") or line.startswith("File \""):
            break
        if line and line != "Error:":
            kept.append(line)
    return " ".join(kept).removeprefix("Error: ") or message.strip()


def step_label(rule: str, wildcards: dict) -> str:
    template = STEP_LABELS.get(rule)
    if template is not None:
        try:
            return template.format(**wildcards)
        except (KeyError, IndexError):
            pass
    extra = [str(v) for k, v in wildcards.items() if k != "pub"]
    return f"{rule} ({', '.join(extra)})" if extra else rule


@dataclass
class Job:
    rule: str
    wildcards: dict
    logs: list[str]
    status: str | None = None  # "done" or "failed"

    @property
    def pub(self) -> str | None:
        return self.wildcards.get("pub")


@dataclass
class Run:
    """The state of a run, fed one Snakemake record at a time (see the plugin)."""

    project: Path
    jobs: dict[int, Job] = field(default_factory=dict)
    errors: dict[str, dict] = field(default_factory=dict)  # by text: each once
    warnings: dict[str, None] = field(default_factory=dict)  # `FILE:LINE: warning: …`, once
    total: int | None = None
    done: int = 0
    failed: bool = False  # Snakemake logged an error

    def add_error(self, entry: dict) -> None:
        self.errors.setdefault(entry["text"], entry)

    def started(self, jobid: int, rule: str, wildcards: dict, logs: list[str]) -> None:
        self.jobs[jobid] = Job(rule, dict(wildcards), list(logs))

    def finished(self, jobid: int) -> str | None:
        """Mark a job done; its progress line, if it is a publication's step."""
        job = self.jobs.get(jobid)
        if job is None:
            return None
        job.status = "done"
        for log in job.logs:  # a step that succeeds may still warn (the numbers' checks)
            try:
                text = Path(log).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for line in text.splitlines():
                if WARNING_LINE.match(line):
                    self.warnings.setdefault(line.strip(), None)
        if job.pub is None:
            return None  # a target (all, a publication's name): no step of its own
        self.done += 1
        total = f"/{self.total}" if self.total else ""
        return f"[{self.done}{total}] {job.pub}: {step_label(job.rule, job.wildcards)}"

    def job_failed(self, jobid: int, read=lambda path: Path(path).read_text(
            encoding="utf-8", errors="replace")) -> str | None:
        """Mark a job failed and take the problems its log names; its progress line."""
        self.failed = True
        job = self.jobs.get(jobid)
        if job is None:
            return None
        job.status = "failed"
        label = step_label(job.rule, job.wildcards)
        found = []
        for log in job.logs:
            try:
                text = read(log)
            except OSError:
                continue
            found += errors_in_log(text, self.project)
            if not found:  # no `error:` line: a crash, whose last line says the most
                last = [l for l in text.splitlines() if l.strip()][-1:]
                said = f": {last[0].strip()}" if last else ""
                found.append({"file": log, "line": None,
                              "message": f"{label} failed{said}",
                              "text": f"{log}: {label} failed{said}"})
        if not found:
            where = f" of {job.pub}" if job.pub else ""
            found.append({"file": "Snakefile", "line": None,
                          "message": f"{label}{where} failed (see the full log)",
                          "text": f"Snakefile: {label}{where} failed (see the full log)"})
        for entry in found:
            self.add_error(entry)
        return f"[failed] {job.pub}: {label}" if job.pub else f"[failed] {label}"

    def set_total(self, stats: dict, publications: list[str]) -> None:
        """Steps to run: Snakemake's count without the targets (all, one per publication)."""
        targets = {"all", *publications}
        self.total = sum(n for rule, n in stats.items() if rule != "total"
                         and rule not in targets)

    def publications(self, which: str) -> list[str]:
        """The publications this run published ('published'), or those it meant to and
        did not ('not published')."""
        pubs: dict[str, bool] = {}
        for job in self.jobs.values():
            if job.pub is not None:
                pubs.setdefault(job.pub, False)
                if job.rule == "publish" and job.status == "done":
                    pubs[job.pub] = True
        wanted = which == "published"
        return sorted(p for p, published in pubs.items() if published == wanted)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors

    def record(self, log: str) -> dict:
        """build/logs/last-run.json: the contract the live preview and others read."""
        return {
            "ok": self.ok,
            "errors": list(self.errors.values()),
            "warnings": list(self.warnings),
            "log": log,
            "jobs": [{"rule": j.rule, "wildcards": j.wildcards,
                      "status": j.status or "failed"}  # still running when the run ended
                     for j in self.jobs.values()],
        }

    def summary(self, log_shown: str, all_publications: list[str]) -> list[str]:
        """The lines that end the run on the console: each problem once, then what was
        and was not published, and where the full log is."""
        lines = list(self.warnings)
        lines += [f"error: {e['text']}" for e in self.errors.values()]
        if self.ok:
            published = self.publications("published")
            if published:
                lines.append(f"Published: {', '.join(published)}. Full log: {log_shown}")
            else:
                lines.append(f"Full log: {log_shown}")
            return lines
        missing = self.publications("not published")
        if not self.jobs:  # stopped before any step ran
            missing = all_publications
        what = (f"Not published: {', '.join(missing)}." if missing
                else "The run failed.")
        lines.append(f"{what} Full log: {log_shown}")
        return lines
