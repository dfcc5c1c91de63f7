"""The provenance report: build/<pub>/numbers.html, published beside the editions.

Every number the publication prints (``Document.numbers``), grouped by section, each with
where it comes from: a data row (key, period, file:row) or the line it was typed on; and
the warnings of ``numberchecks`` first. Each warning is also printed once on stderr as
``file:line: warning: message``; where publication.yaml sets ``numbers: stop_on_warning:
true``, they are errors that stop the build instead (the report is written first).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .atomic import write_text
from .errors import SourceError
from .locale import load_locale, locale_path
from .model import Document, Figure, Heading, PrintedNumber, walk
from .numberchecks import NumberWarning, check_numbers, number_sentences, placeholder
from .publication import data_files, load_config, stop_on_number_warnings
from .statistics import load_statistics
from .textfiles import read_text_file

TEMPLATE = "numbers.html.j2"
# A document model is written by the pipeline: far below this.
MAX_MODEL_BYTES = 200 * 1024 * 1024


def write_numbers_report(source: Path, document: Path, out: Path,
                         templates: Path = Path("templates")) -> list[NumberWarning]:
    """Write the report; print the warnings (or stop on them, as publication.yaml says)."""
    source = Path(source)
    config = load_config(source)
    stats = load_statistics(data_files(source))
    doc = Document.from_json(read_text_file(Path(document), MAX_MODEL_BYTES))
    locale = load_locale(locale_path(templates, doc.meta["lang"]))
    warnings = check_numbers(doc, stats)
    stop = stop_on_number_warnings(config)
    write_text(Path(out), render_report(doc, stats, warnings, locale, templates, stop))
    lines = list(dict.fromkeys(str(w) for w in warnings))  # each once
    if stop and lines:
        first = warnings[0]
        raise SourceError(first.file, "\n".join([first.message, *lines[1:]]),
                          line=first.line)
    for line in lines:
        path, _, rest = line.partition(": ")
        print(f"{path}: warning: {rest}", file=sys.stderr)
    return warnings


def render_report(doc: Document, stats, warnings: list[NumberWarning], locale,
                  templates: Path, stop: bool) -> str:
    from .templating import render_template

    text = locale.text
    sentences = number_sentences(doc)
    warned = {w.number: w for w in warnings}
    headings = {b.anchor: b for b in doc.blocks if isinstance(b, Heading)}
    sections: dict[str, dict] = {}
    key_figures = iter(doc.key_figures)

    def section_of(anchor: str) -> dict:
        return sections.setdefault(anchor, {
            "title": headings[anchor].text if anchor in headings
            else text("numbers_before_text"),
            "level": headings[anchor].level if anchor in headings else 1,
            "rows": []})

    charts = _chart_rows(doc, locale)
    for index, number in enumerate(doc.numbers):
        while charts and number.block is not None and charts[0][0] < number.block:
            _, anchor, row = charts.pop(0)  # a chart before this number: its values first
            section_of(anchor)["rows"].append(row)
        if number.place == "key_figure":
            # A key figure stands with its label, not in a sentence.
            figure = next(key_figures, None)
            sentences[index] = (f"{number.text} {figure.label}" if figure else "", 0)
        section = section_of(number.section)
        sentence, offset = sentences[index]
        printed = number.text if sentence[offset:offset + len(number.text)] == number.text \
            else sentence[offset:].split()[0][:len(number.text)] if sentence else ""
        section["rows"].append({
            "number": number, "index": index, "warning": index in warned,
            "kind": text(f"numbers_kind_{number.kind}") if number.kind else "",
            "place": text(f"numbers_place_{number.place}")
            if f"numbers_place_{number.place}" in locale.strings else number.place,
            "before": _clip(sentence[:offset], end=True), "printed": printed,
            "after": _clip(sentence[offset + len(printed):]) if sentence else "",
        })
    for _, anchor, row in charts:
        section_of(anchor)["rows"].append(row)
    plotted = sum(1 for s in sections.values() for r in s["rows"] if r["index"] is None)
    context = {
        "lang": locale.language_tag,
        "title": text("numbers_title", title=doc.meta.get("title", "")),
        "summary": text("sentence_join").join(
            [text("numbers_summary", count=len(doc.numbers),
                  data=sum(1 for n in doc.numbers if n.source == "data"),
                  typed=sum(1 for n in doc.numbers if n.source == "typed"))]
            + ([text("numbers_summary_charts", count=plotted)] if plotted else [])),
        "strings": locale.strings,
        "setting": text("numbers_setting_stop" if stop else "numbers_setting_warn"),
        "warnings": [_warning(w, doc, stats, locale) for w in warnings],
        "warnings_title": text("numbers_warnings", count=len(warnings)),
        "sections": list(sections.values()),
    }
    return render_template(Path(templates) / "html", TEMPLATE, context)


def _chart_rows(doc: Document, locale) -> list[tuple[int, str, dict]]:
    """Each value a chart shows (``Figure.plots``), as a row after what the chart's block
    prints (its caption): (top-level block, the section's anchor, row)."""
    rows, anchor = [], ""
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            anchor = block.anchor
        for figure in walk([block]):
            if not isinstance(figure, Figure):
                continue
            shown = _caption(figure, locale)
            for plotted in figure.plots:
                number = PrintedNumber(**{**plotted, "block": index, "place": "chart",
                                          "section": anchor})
                rows.append((index, anchor, {
                    "number": number, "index": None, "warning": False,
                    "kind": locale.text("numbers_kind_value"),
                    "place": locale.text("numbers_place_chart"),
                    "before": "", "printed": number.text,
                    "after": " " + _clip(shown, limit=2 * CONTEXT_CHARS)}))
    return rows


def _caption(figure: Figure, locale) -> str:
    """A figure's label and caption as its caption prints them: Figure 2. Container …"""
    return f"{figure.label}{locale.text('caption_separator')}{figure.caption}"


def _warning(warning: NumberWarning, doc: Document, stats, locale) -> dict:
    number = doc.numbers[warning.number]
    fact = warning.facts[0]
    if warning.check == "typed_data_value":
        message = locale.text("numbers_warning_duplicate", text=number.text,
                              row=f"{Path(fact.path).name}:{fact.line} {fact.key}",
                              placeholder=placeholder(fact, stats))
    else:
        values = locale.text("list_separator").join(
            locale.quantity(locale.number(f.value), f.unit)
            + (locale.text("period_note", period=p) if (p := locale.fact_period(f)) else "")
            for f in warning.facts[:3])
        message = locale.text("numbers_warning_contradiction", text=number.text,
                              label=warning.label, values=values)
    return {"where": f"{warning.file}:{warning.line}", "message": message,
            "number": warning.number}


# How much of the sentence the report shows on either side of a number.
CONTEXT_CHARS = 40


def _clip(text: str, end: bool = False, limit: int = CONTEXT_CHARS) -> str:
    """At most ``limit`` characters of a sentence: its end before a number, its start
    after."""
    if len(text) <= limit:
        return text
    return "…" + text[-limit:] if end else text[:limit] + "…"
