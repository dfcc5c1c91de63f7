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
from .model import Document, Heading
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
    for index, number in enumerate(doc.numbers):
        if number.place == "key_figure":
            # A key figure stands with its label, not in a sentence.
            figure = next(key_figures, None)
            sentences[index] = (f"{number.text} {figure.label}" if figure else "", 0)
        section = sections.setdefault(number.section, {
            "title": headings[number.section].text if number.section in headings
            else text("numbers_before_text"),
            "level": headings[number.section].level if number.section in headings else 1,
            "rows": []})
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
    context = {
        "lang": locale.language_tag,
        "title": text("numbers_title", title=doc.meta.get("title", "")),
        "summary": text("numbers_summary", count=len(doc.numbers),
                        data=sum(1 for n in doc.numbers if n.source == "data"),
                        typed=sum(1 for n in doc.numbers if n.source == "typed")),
        "strings": locale.strings,
        "setting": text("numbers_setting_stop" if stop else "numbers_setting_warn"),
        "warnings": [_warning(w, doc, stats, locale) for w in warnings],
        "warnings_title": text("numbers_warnings", count=len(warnings)),
        "sections": list(sections.values()),
    }
    return render_template(Path(templates) / "html", TEMPLATE, context)


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


def _clip(text: str, end: bool = False) -> str:
    """At most CONTEXT_CHARS of a sentence: its end before a number, its start after."""
    if len(text) <= CONTEXT_CHARS:
        return text
    return "…" + text[-CONTEXT_CHARS:] if end else text[:CONTEXT_CHARS] + "…"
