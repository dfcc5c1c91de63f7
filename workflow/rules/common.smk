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
from paperpress.inputs import CHART_ID_RE, publication_inputs, template_inputs  # noqa: E402
from paperpress.publish import receipt_is_current  # noqa: E402
from paperpress.stale import (MADE_FROM_MODEL, MADE_FROM_PNG, MADE_FROM_SVG,  # noqa: E402
                              clear_orphaned_products, clear_products_of_missing_html)
from paperpress.stalelock import clear_stale_lock  # noqa: E402
from snakemake.logging import logger  # noqa: E402
from snakemake_interface_logger_plugins.common import LogEvent  # noqa: E402

# A build killed outright (kill -9, a closed terminal) leaves Snakemake's lock behind, and
# the next run would stop asking for `--unlock`. Snakemake reads this file before it takes
# its lock (snakemake/workflow.py), so a stale one is cleared here; one held by a snakemake
# still working in this directory is left alone. Not in a job's own snakemake (a cluster or
# subprocess executor's): its parent holds the lock.
if not (workflow.remote_exec or workflow.subprocess_exec) and clear_stale_lock(Path(".")):
    logger.info("Removed the lock an interrupted build left behind.")

# Every step writes what it prints to its log (build/<pub>/logs/<step>.log, each rule's
# `log:`, its command ending in `> {log} 2>&1`): the console shows progress and, at the
# end, each problem once (the logger plugin, src/snakemake_logger_plugin_paperpress/).


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

PUBLICATIONS = sorted(p.parent.name for p in Path("sources").glob("*/publication.yaml"))
TEMPLATES = Path("templates")


def _read_sources():
    """What every publication's jobs read (paperpress/inputs.py), checked before any job
    runs: a file that a source names but that is missing, outside the project or reached
    through a link out of it is a fault of that publication, named with the file and line
    that named it. A fault of the templates, which every publication reads, or of a folder's
    name stops the whole build here; a publication's own fault stops only that publication
    (its target is the step sources_fault, which fails saying it), and the others build.
    Nothing has been built or published by then."""
    inputs, faults, errors = {}, {}, []
    for pub in PUBLICATIONS:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", pub):
            errors.append(f"sources/{pub}/: a publication's folder name may hold only"
                          " letters, digits, '.', '_' and '-' (it names files and commands)")
            continue
        try:
            inputs[pub] = publication_inputs(Path("sources") / pub, TEMPLATES)
        except SourceError as exc:
            if not Path(exc.path).is_relative_to(Path("sources") / pub):
                errors.append(str(exc))  # a template every publication reads
                continue
            faults[pub] = str(exc)
            # Said now too, for a dry run, which runs no step (the console lists it once).
            logger.warning(f"error: {exc}")
    try:
        templates = template_inputs(TEMPLATES)
    except SourceError as exc:
        errors.append(str(exc))
    if errors:
        # Through Snakemake's logger, so that the logger plugin lists them with the rest
        # and records them in build/logs/last-run.json (without it they print as they are).
        for error in dict.fromkeys(errors):  # a fault shared by publications, once
            logger.error(f"error: {error}",
                         extra={"event": LogEvent.ERROR, "exception": "SourceError"})
        sys.exit(1)
    return inputs, faults, templates


INPUTS, SOURCE_FAULTS, TEMPLATE_FILES = _read_sources()


def target(pub):
    """What building a publication means: its release, or, when its sources are at fault,
    the step that fails saying so (rule sources_fault)."""
    if pub in SOURCE_FAULTS:
        return f"build/{pub}/sources-fault.txt"
    return RECEIPT.format(pub=pub)

wildcard_constraints:
    pub=r"[^/]+",
    chart=CHART_ID_RE.pattern,
    edition=r"whitepaper|brief",
    pdf=r"(whitepaper|brief)(-press)?",
    image=r".+",


def code(command_module):
    """The package modules a step's command runs (the CLI, the module that does the work and
    all they import): declared as inputs, so editing one reruns exactly those steps."""
    return [str(p) for p in modules_used(command_module, package_dir=SRC / "paperpress")]


def chart_ids(pub):
    return sorted(INPUTS[pub].charts)


def chart_spec(wildcards):
    charts = INPUTS[wildcards.pub].charts
    if wildcards.chart not in charts:
        raise ValueError(f"sources/{wildcards.pub}/charts/{wildcards.chart}.yaml: no such chart")
    return str(charts[wildcards.chart])


def chart_data(wildcards):
    """The data files a chart's spec names: only they rerun the chart when they change."""
    return [str(p) for p in INPUTS[wildcards.pub].chart_data.get(wildcards.chart, [])]


def brief_charts(pub):
    return INPUTS[pub].brief_charts


def pdf_options(pub, kind):
    """The command-line options that make that edition (screen or press)."""
    return " ".join(shlex.quote(o) for o in INPUTS[pub].pdf[kind].command_options())


def pdf_files(pub, kind):
    """Files an edition reads besides the HTML: its stylesheet and output profile."""
    return INPUTS[pub].pdf[kind].files


def figures(pub, ext, charts=None):
    return [f"figures/{pub}/{c}.{ext}" for c in (chart_ids(pub) if charts is None else charts)]


def phone_figures(pub):
    """The charts drawn for the web edition on a phone (rule chart)."""
    return [f"figures/{pub}/phone/{c}.svg" for c in chart_ids(pub)]


def editions(pub):
    """The editions a publication builds and publishes (no brief's without 'brief:')."""
    return INPUTS[pub].editions


def pdfs(pub):
    return INPUTS[pub].pdfs


def images(pub):
    """The pictures the text places (sources/<pub>/images/…), as the HTML editions embed
    them and the model measures them."""
    return [str(p) for p in INPUTS[pub].images]


def word_images(pub):
    """What the Word editions embed for the text's pictures: a PNG or JPEG as it is, an
    SVG as the PNG rule image_png makes of it (figures/<pub>/images/<name>.png)."""
    root = INPUTS[pub].root
    return [f"figures/{pub}/{p.relative_to(root).with_suffix('.png')}"
            if p.suffix.lower() == ".svg" else str(p) for p in INPUTS[pub].images]


def svg_source(wildcards):
    """The SVG picture figures/<pub>/images/<image>.png is drawn from: one the text places."""
    found = INPUTS[wildcards.pub]
    wanted = Path("images") / wildcards.image
    for path in found.svg_images:
        if path.relative_to(found.root).with_suffix("") == wanted:
            return str(path)
    raise ValueError(f"sources/{wildcards.pub}/{wanted}.svg: the text places no such picture")


def _paths(value):
    """File paths from a field that holds one path, a list of them or a mapping of either
    (the tables and their data, by table id)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [p for v in value.values() for p in _paths(v)]
    if isinstance(value, (list, tuple, set)):
        return [p for v in value for p in _paths(v)]
    return [str(value)]


def model_extras(pub):
    """What the document model reads besides the text, settings, data and charts: the
    locale file, the table specs and the data files they name."""
    found = INPUTS[pub]
    return list(dict.fromkeys(_paths(getattr(found, "locale", None))
                              + _paths(getattr(found, "tables", None))
                              + _paths(getattr(found, "table_data", None))))


RECEIPT = "build/{pub}/release.json"

# output/<pub> is published by the publish step alone (paperpress/publish.py); its receipt
# in build/ says which release it made. When output/<pub> is no longer that release, intact
# (an edition deleted or edited by hand), the receipt goes, so that publish runs again.
# Nothing in output/ is touched here: a dry run changes nothing there.
for _pub in INPUTS:
    # A failed step's outputs are gone (paperpress/stale.py): what was made from them goes.
    clear_orphaned_products(
        Path("build") / _pub,
        {Path(f"build/{_pub}/document.json"): MADE_FROM_MODEL}
        | {Path(f): MADE_FROM_SVG for f in figures(_pub, "svg") + phone_figures(_pub)}
        | {Path(f): MADE_FROM_PNG for f in figures(_pub, "png")
           + [f for f in word_images(_pub) if f.startswith("figures/")]})
    # Likewise a failed HTML step's: the PDFs made from the HTML before it go.
    clear_products_of_missing_html(Path("build") / _pub)
    _receipt = Path(RECEIPT.format(pub=_pub))
    if _receipt.exists() and not receipt_is_current(_receipt, Path("output") / _pub):
        _receipt.unlink()


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
