# Discovering publications, and the helpers the rules share.
import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(workflow.basedir)
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))
from paperpress.codedeps import modules_used  # noqa: E402
from paperpress.errors import SourceError  # noqa: E402
from paperpress.publish import manifest_is_intact  # noqa: E402
from paperpress.textfiles import read_yaml_mapping, yaml_flag  # noqa: E402


def _exit_without_waiting_for_rate_limit_timers():
    """Snakemake's scheduler starts a one-second threading.Timer (its job rate limit,
    --max-jobs-per-timespan, whose smallest span is 1s) after each round of job selection.
    Those are not daemon threads, so every build that ran a job sat idle for up to a second
    after its last job before the process could exit (measured: 1.2 s of a 10.5 s clean
    build). The timer only wakes the scheduler early; at exit nothing waits for it."""
    import threading
    from snakemake.scheduling import job_scheduler

    scheduler = getattr(job_scheduler, "JobScheduler", None)
    if scheduler is None or not hasattr(scheduler, "_schedule_reevalutation"):
        return  # another Snakemake version: leave it be

    def schedule_reevaluation(self, delay):
        timer = threading.Timer(delay, lambda: self._open_jobs.release())
        timer.daemon = True
        timer.start()

    scheduler._schedule_reevalutation = schedule_reevaluation


_exit_without_waiting_for_rate_limit_timers()


def _skip_the_last_garbage_collection():
    """At exit CPython collects the garbage of everything Snakemake imported and built:
    0.2 s of every run, a no-op included (measured: 0.96 s -> 0.80 s). The process is
    ending and its memory goes back to the system anyway: gc.freeze, run at exit, takes
    those objects out of that last collection. (CPython does not promise to finalize
    objects still alive at exit in any case.)"""
    import atexit
    import gc

    atexit.register(gc.freeze)


_skip_the_last_garbage_collection()

# Each rule runs the package from this checkout, whatever is installed elsewhere.
PAPERPRESS = f"PYTHONPATH={SRC} {sys.executable} -m paperpress"
EDITIONS = ["whitepaper.pdf", "whitepaper-press.pdf", "whitepaper.html", "whitepaper.docx",
            "brief.pdf", "brief-press.pdf", "brief.docx"]
PDFS = [e.removesuffix(".pdf") for e in EDITIONS if e.endswith(".pdf")]

PUBLICATIONS = sorted(p.parent.name for p in Path("sources").glob("*/publication.yaml"))
for _name in PUBLICATIONS:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", _name):
        raise ValueError(f"sources/{_name}/: a publication's folder name may hold only"
                         " letters, digits, '.', '_' and '-' (it names files and commands)")

wildcard_constraints:
    pub=r"[^/]+",
    chart=r"[a-z0-9][a-z0-9-]*",
    edition=r"whitepaper|brief",
    pdf=r"(whitepaper|brief)(-press)?",


def code(command_module):
    """The package modules a step's command runs (the CLI, the module that does the work and
    all they import): declared as inputs, so editing one reruns exactly those steps."""
    return [str(p) for p in modules_used(command_module, package_dir=SRC / "paperpress")]


def chart_ids(pub):
    return sorted(p.stem for p in Path(f"sources/{pub}/charts").glob("*.yaml"))


def chart_data(wildcards):
    """The data files a chart's spec names: only they rerun the chart when they change."""
    spec = Path(f"sources/{wildcards.pub}/charts/{wildcards.chart}.yaml")
    try:
        names = read_yaml_mapping(spec).get("data") or []
    except (OSError, SourceError):
        return []  # the chart step itself reports the bad spec with its file and line
    names = names if isinstance(names, list) else [names]
    paths = [f"sources/{wildcards.pub}/data/{n}" for n in names if isinstance(n, str)]
    # A name with no file (a typo) is left to the chart step, which says which spec names
    # it; Snakemake would only say that some input is missing. Creating the file later
    # changes the job's inputs, which reruns it.
    return [p for p in paths if Path(p).exists()]


def brief_charts(pub):
    path = Path(f"sources/{pub}/publication.yaml")
    try:
        charts = (read_yaml_mapping(path).get("brief") or {}).get("charts") or []
        # A misshapen list is reported by the model step, with the file named.
        return [c for c in charts if isinstance(c, str)] if isinstance(charts, list) else []
    except (OSError, SourceError, AttributeError):
        return []


def pdf_edition(pub, kind):
    """The 'pdf: screen:' or 'pdf: press:' settings of a publication.yaml."""
    path = Path(f"sources/{pub}/publication.yaml")
    try:
        return dict(((read_yaml_mapping(path).get("pdf") or {}).get(kind)) or {})
    except (OSError, SourceError, AttributeError, TypeError, ValueError):
        return {}


def pdf_options(pub, kind):
    """The command-line options that make that edition."""
    edition = pdf_edition(pub, kind)
    options = []
    if edition.get("variant"):
        options += ["--variant", str(edition["variant"])]
    if yaml_flag(edition.get("tagged", "false"), f"sources/{pub}/publication.yaml",
                 f"pdf: {kind}: tagged"):
        options.append("--tagged")
    if edition.get("stylesheet"):
        options += ["--stylesheet", f"templates/html/{edition['stylesheet']}"]
    if edition.get("output_profile"):
        options += ["--output-profile", str(edition["output_profile"])]
    return " ".join(shlex.quote(o) for o in options)


def pdf_files(pub, kind):
    """Files an edition reads besides the HTML: its stylesheet and output profile."""
    edition = pdf_edition(pub, kind)
    files = []
    if edition.get("stylesheet"):
        files.append(f"templates/html/{edition['stylesheet']}")
    if edition.get("output_profile"):
        files.append(str(edition["output_profile"]))
    return files


def figures(pub, ext, charts=None):
    return [f"figures/{pub}/{c}.{ext}" for c in (chart_ids(pub) if charts is None else charts)]


# A published edition that someone deleted or replaced by hand makes its manifest stale:
# drop the manifest so that the publish step runs again.
for _pub in PUBLICATIONS:
    _manifest = Path(f"output/{_pub}/manifest.json")
    if _manifest.exists() and not manifest_is_intact(_manifest):
        _manifest.unlink()


# The steps run in children of one warm worker process that imported the heavy libraries
# once (src/paperpress/worker.py); with PAPERPRESS_WORKER=off each runs on its own.
# Not under a cluster or cloud executor: its jobs run elsewhere, so a worker here would
# only sit idle, and a job there (`snakemake --mode remote`) that found one on its machine
# would hand its step out of the processes the scheduler limits and accounts for.
if workflow.remote_exec:
    os.environ["PAPERPRESS_WORKER"] = "off"


onstart:
    if workflow.local_exec:
        from paperpress.worker import start_worker

        start_worker(str(SRC))
