"""Command line: one subcommand per workflow step, so each Snakemake rule is one call.

Errors in the sources are printed as ``error: FILE:LINE: message`` without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import SourceError
from .model import UnknownBlock


def _model(a):
    from .document import write_document_model

    write_document_model(a.source, a.out, a.templates)


def _chart(a):
    from .charts import render_chart

    render_chart(a.spec, a.data_dir, a.style, a.locale, a.svg, a.png,
                 phone_style=a.phone_style, phone_svg=a.phone_svg)


def _html(a):
    from .html import render_brief_html, render_whitepaper_html

    render = render_whitepaper_html if a.edition == "whitepaper" else render_brief_html
    render(a.document, a.figures, a.templates, a.out, sources_dir=a.sources)


def _pdf(a):
    from .pdf import PdfEdition, render_pdf

    edition = PdfEdition(variant=a.variant, tagged=a.tagged,
                         stylesheets=tuple(a.stylesheet), output_profile=a.output_profile,
                         crop_marks=a.crop_marks, output_condition=a.output_condition)
    render_pdf(a.html, a.out, a.layout, edition)


def _preflight(a):
    from .preflight import run_preflight

    run_preflight(a.pdf, a.layout, a.report, a.document)


def _docx(a):
    from .docx import render_brief_docx, render_whitepaper_docx

    render = render_whitepaper_docx if a.edition == "whitepaper" else render_brief_docx
    render(a.document, a.figures, a.template, a.out, sources_dir=a.sources)


def _publish(a):
    from .publish import publish

    report = None
    if a.change_report is not None:
        from .changes import write_change_report

        def report(baseline, folder):
            return write_change_report(a.files, baseline, a.change_report, folder)

    publish(a.files, a.out_dir, keep=a.keep, receipt=a.receipt, staging=a.staging,
            report=report)


def _approve(a):
    from .publish import approve

    name = approve(a.output / a.publication)
    print(f"{a.output / a.publication}: release {name} approved: the next change reports"
          " compare with it, and it is kept")


def _check(a):
    from .document import build_document
    from .inputs import publication_inputs

    publication_inputs(a.source, a.templates)  # every file it names, as the workflow checks
    doc = build_document(a.source, a.templates)
    print(f"{a.source}: ok ({len(doc.blocks)} blocks, {len(doc.figures) + len(doc.images)}"
          " figures)")


def _numbers(a):
    from .numbersreport import write_numbers_report

    write_numbers_report(a.source, a.document, a.out, a.templates)
def _crosscheck(a):
    from .crosscheck import run_crosscheck

    problems = run_crosscheck(a.document, a.editions, a.report, a.sources)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        raise SystemExit(1)


def _image_png(a):
    from .rasterise import rasterise_svg

    rasterise_svg(a.svg, a.png)


def _worker(a):
    from . import worker

    if a.action == "start":
        path = worker.start_worker(str(Path(__file__).resolve().parent.parent))
        print(path or "no worker: PAPERPRESS_WORKER is off, the system cannot tell who is at"
                      " a socket's other end (no SO_PEERCRED), or the socket folder cannot"
                      " be made or is not this user's alone")
    elif a.action == "stop":
        print("stopped" if worker.stop_worker() else "no worker running")
    else:
        path = worker.socket_path()
        if path is not None and worker.ping(path):
            print(f"{path}: running (pid {worker.worker_pid(path)})")
        else:
            print(f"{path}: not running")


def _preview(a):
    from .preview import run_preview

    status = run_preview(a.project, a.publication, port=a.port, cores=a.cores)
    if status:
        sys.exit(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="paperpress", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate a publication's sources")
    p.add_argument("source", type=Path)
    p.add_argument("--templates", type=Path, default=Path("templates"),
                   help="the project's templates folder (default: templates)")
    p.set_defaults(func=_check)

    p = sub.add_parser("model", help="sources -> document model (JSON)")
    p.add_argument("source", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--templates", type=Path, default=Path("templates"),
                   help="the project's templates folder, with locales/ (default: templates)")
    p.set_defaults(func=_model)

    p = sub.add_parser("chart", help="chart spec + data -> SVG and PNG")
    for name in ("spec", "data_dir", "style", "locale", "svg", "png"):
        p.add_argument(name, type=Path)
    p.add_argument("--phone-style", type=Path, default=Path("templates/charts/phone.mplstyle"),
                   help="the narrow charts' style, on top of the house style")
    p.add_argument("--phone-svg", type=Path,
                   help="also draw the chart for a phone's screen, as this SVG")
    p.set_defaults(func=_chart)

    for command, func, template in (("html", _html, "templates"), ("docx", _docx, "template")):
        p = sub.add_parser(command, help=f"document model -> {command} edition")
        p.add_argument("edition", choices=["whitepaper", "brief"])
        for name in ("document", "figures", template, "out"):
            p.add_argument(name, type=Path)
        p.add_argument("--sources", type=Path,
                       help="the publication's folder, where the pictures it places are")
        p.set_defaults(func=func)

    p = sub.add_parser("pdf", help="HTML edition -> PDF")
    p.add_argument("html", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--layout", type=Path, help="also write where figures fell (JSON)")
    p.add_argument("--variant", help="PDF variant, e.g. pdf/a-3u, pdf/ua-1, pdf/x-4")
    p.add_argument("--tagged", action="store_true", help="write a tagged (accessible) PDF")
    p.add_argument("--stylesheet", type=Path, action="append", default=[],
                   help="an extra stylesheet, e.g. the press edition's bleed and marks")
    p.add_argument("--output-profile", type=Path, help="CMYK ICC profile of the print run")
    p.add_argument("--output-condition",
                   help="the print run's registered characterisation (FOGRA39, JC200103 …)")
    p.add_argument("--crop-marks", action="store_true",
                   help="crop marks outside the bleed, on a sheet larger than trim + bleed")
    p.set_defaults(func=_pdf)

    p = sub.add_parser("preflight", help="check a PDF; write a report or fail")
    for name in ("pdf", "layout", "report"):
        p.add_argument(name, type=Path)
    p.add_argument("--document", type=Path,
                   help="the document model the PDF was made from: names its images")
    p.set_defaults(func=_preflight)

    p = sub.add_parser("publish", help="check built editions and move them into output/")
    p.add_argument("out_dir", type=Path)
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--keep", type=int, default=5, help="how many releases to keep")
    p.add_argument("--receipt", type=Path, help="write which release was published here")
    p.add_argument("--staging", type=Path,
                   help="put the release together here, then rename it into output/")
    p.add_argument("--change-report", type=Path, metavar="TEMPLATES",
                   help="write the change report (changes.html) into a new release, with"
                        " the report template of this folder (templates/html)")
    p.set_defaults(func=_publish)

    p = sub.add_parser("approve", help="mark a publication's current release approved:"
                                       " change reports compare with it, and it is kept")
    p.add_argument("publication", help="the publication's folder name, e.g. hunan-bri-2023")
    p.add_argument("--output", type=Path, default=Path("output"),
                   help="the output folder (default: output)")
    p.set_defaults(func=_approve)
    p = sub.add_parser("numbers", help="document model -> report of where each number"
                                       " comes from; warns of typed data values")
    for name in ("source", "document", "out"):
        p.add_argument(name, type=Path)
    p.add_argument("--templates", type=Path, default=Path("templates"),
                   help="the project's templates folder (default: templates)")
    p.set_defaults(func=_numbers)
    p = sub.add_parser("crosscheck", help="check that every edition carries every paragraph"
                                          " and number of the model; write a report or fail")
    p.add_argument("document", type=Path, help="the document model (document.json)")
    p.add_argument("report", type=Path, help="written when every edition passes")
    p.add_argument("editions", type=Path, nargs="+",
                   help="the edition files: .pdf (with its .layout.json beside it), .docx, .html")
    p.add_argument("--sources", type=Path,
                   help="the publication's folder: names the source lines in the report")
    p.set_defaults(func=_crosscheck)

    p = sub.add_parser("image-png", help="an SVG picture of the text -> PNG for Word")
    for name in ("svg", "png"):
        p.add_argument(name, type=Path)
    p.set_defaults(func=_image_png)

    p = sub.add_parser("worker", help="start, stop or ask after the warm worker")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.set_defaults(func=_worker)

    p = sub.add_parser("preview", help="serve a publication's web edition and PDF on"
                       " 127.0.0.1, rebuilt and reloaded in the browser as you edit")
    p.add_argument("publication", nargs="?",
                   help="a folder of sources/ (default: the only one, else the first)")
    p.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    p.add_argument("--cores", default="all", help="Snakemake's --cores (default: all)")
    p.add_argument("--project", type=Path, default=Path("."),
                   help="the project's folder, with the Snakefile (default: here)")
    p.set_defaults(func=_preview)

    args = parser.parse_args(argv)
    try:
        args.func(args)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except UnknownBlock as exc:
        # A model the writer cannot map (a template or a model from another version):
        # stopped, never written with the block left out.
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # The machine, not the sources: a full disk, a file someone else holds. One line
        # that says which file, not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
