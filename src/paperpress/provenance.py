"""Where each printed number comes from: the data, or typed by the editor.

The reader logs every text it fills (``Written``: the text as typed, with its file and
line, and the block it is printed in); ``collect`` turns those texts, the figures'
captions, the data tables, the key figures and the appendix into the model's list of
``PrintedNumber`` in reading order. A placeholder's output is one number from the data
(its key, period and CSV row); every other run of digits is typed: a year, a date, an
ordinal, a quantity. Every digit run the covered text prints is in exactly one entry.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .facts import fill_segments
from .textfiles import line_of
from .model import Figure, Heading, Image, KeyFigurePanel, PrintedNumber, Table, walk

# A number as typed: 4168, 34.65, 1,234.5 (grouped by commas in English).
NUMBER_RE = re.compile(r"(?<![0-9])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
# Words that stand for a unit of the data: "12 per cent" is 12 %.
UNIT_WORDS = {"%": ("%", "％", " per cent", " percent")}
# 6月, 18日, and the first month of a range: 1-6月, 1—10月.
DATE_AFTER = re.compile(r"^(?:[-–—~至到][0-9]{1,2})?[月日号]")
# 12 February, February 12 (a year after a month is a year still: it is checked first).
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November"
           "|December")
MONTH_AFTER = re.compile(rf"^\s(?:{_MONTHS})\b")
MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\s$")
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b")
# What align_decimals pads a column of numbers with: not part of the number printed.
ALIGNMENT_SPACES = " \u2007\u2008"
COVER_FIELDS = ("title", "subtitle", "date")
PLACES = {"image": "figure", "key_figures": "key_figure"}


@dataclass
class Written:
    """A text as the editor typed it (placeholders and all), where, and where printed."""

    raw: str
    file: str
    line: int
    block: int | None = None   # top-level block it is printed in
    place: str = ""            # "" : the kind of its block
    section_block: int | None = None  # for text outside blocks (notes): where called
    above: bool = False        # printed above the block it follows: a table's caption
    order: tuple = ()


def numbers_in(written: Written, stats, locale, units: list[str], project: Path) -> list[dict]:
    """The numbers ``written`` prints, in order, as PrintedNumber fields (no block,
    place, section yet)."""
    out = []
    for printed, fact, fmt in fill_segments(written.raw, stats, locale):
        if fact is None:
            out += typed_numbers(printed, relative(written.file, project), written.line, units)
        elif fmt in ("", "number"):
            out.append(data_number(fact, printed, project))
        elif fmt == "period":
            out += [data_number(fact, m[0], project, kind="period", value=m[0])
                    for m in NUMBER_RE.finditer(printed)]
    return out


def data_number(fact, printed: str, project: Path, kind: str = "value",
                value: str | None = None) -> dict:
    return dict(text=printed, value=str(fact.value) if value is None else value,
                unit=fact.unit if kind == "value" else "", source="data", key=fact.key,
                period=fact.period_id, file=relative(fact.path, project), line=fact.line,
                kind=kind)


def typed_numbers(text: str, file: str, line: int, units: list[str]) -> list[dict]:
    """Every digit run of typed text, with the data unit that follows it, if any."""
    out = []
    for m in NUMBER_RE.finditer(text):
        after = text[m.end():]
        unit, written = unit_after(after, units)
        out.append(dict(text=m[0] + written, value=m[0].replace(",", ""), unit=unit,
                        source="typed", key="", period="", file=file, line=line,
                        kind=typed_kind(text[:m.start()], m[0], after, unit)))
    return out


def unit_after(after: str, units: list[str]) -> tuple[str, str]:
    """(unit, the text that wrote it) for the data unit ``after`` starts with: 列, %,
    " million TEU"; ("", "") for none. The longest unit wins (万标箱 over 万)."""
    for unit in units:
        for written in UNIT_WORDS.get(unit, (unit, " " + unit)):
            if after.startswith(written):
                rest = after[len(written):]
                # A Latin unit ends at a word's end: "5 tonnes" is not "5 t".
                if written[-1:].isascii() and written[-1:].isalpha() and rest[:1].isalpha():
                    continue
                return unit, written
    return "", ""


def typed_kind(before: str, digits: str, after: str, unit: str) -> str:
    """How the review reads a typed number: a year, a day or month, an ordinal, or a
    quantity (which a placeholder may owe)."""
    if unit:
        return "quantity"
    if before.endswith("第") or _ORDINAL_AFTER.match(after):
        return "ordinal"
    # 2023年, "in 2025": but 2000多 (some 2,000) is a count.
    if re.fullmatch(r"(19|20)[0-9]{2}", digits) and (after[:1] == "年"
                                                      or not after[:1].isalpha()):
        return "year"
    if DATE_AFTER.match(after) or MONTH_AFTER.match(after) or MONTH_BEFORE.search(before):
        return "date"
    return "quantity"


def relative(path, project: Path) -> str:
    """A source's path as the project names it (sources/<pub>/data/x.csv)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, project)).as_posix()


def data_units(stats) -> list[str]:
    """The units of the publication's data, longest first, for typed numbers to match."""
    return sorted({f.unit for f in stats.facts if f.unit}, key=lambda u: (-len(u), u))


def collect(doc, pub, locale, text_log: list[Written], tables: dict) -> list[PrintedNumber]:
    """Every number the publication prints, from the reader's log and the parts that
    never pass the reader (figure captions, data tables, key figures, the appendix), in
    reading order, each with its block, place and section."""
    project = pub.root.resolve().parent.parent
    units = data_units(pub.stats)
    top = {id(b): i for i, block in enumerate(doc.blocks) for b in walk([block])}
    sections, anchor = [], ""
    for block in doc.blocks:
        if isinstance(block, Heading):
            anchor = block.anchor
        sections.append(anchor)
    end = len(doc.blocks)
    entries: list[tuple[tuple, dict, Written]] = []

    def add(written: Written, found: list[dict]) -> None:
        for n, entry in enumerate(found):
            entries.append(((*written.order, n), entry, written))

    for seq, name in enumerate(COVER_FIELDS):
        # The front matter is printed as typed, on the cover and in the running heads.
        if doc.meta.get(name):
            written = Written(str(doc.meta[name]), pub.text_path, line_of(doc.meta, name) or 1,
                              None, "cover", order=(-1, 0, seq))
            add(written, typed_numbers(written.raw, relative(pub.text_path, project),
                                       written.line, units))
    for seq, written in enumerate(text_log):
        written.order = (end + 1 if written.place == "note" else written.block,
                         -1 if written.above else 0, seq)
        found = numbers_in(written, pub.stats, locale, units, project)
        if (found and found[0]["kind"] == "quantity" and written.block is not None
                and isinstance(doc.blocks[written.block], Heading)
                and written.raw.lstrip().startswith(found[0]["text"])):
            found[0]["kind"] = "ordinal"  # a heading's number: "2.3 Traffic", "1 Review"
        add(written, found)
    data_tables = {id(t.rows): (tid, t) for tid, t in tables.items()}
    for block in walk(doc.blocks):
        index = top[id(block)]
        if isinstance(block, Figure):
            spec = pub.charts[block.chart]
            for seq, name in enumerate(("caption", "source")):
                written = Written(getattr(spec, name), spec.path, _yaml_line(spec.path, name),
                                  index, "figure", order=(index, 1, seq))
                add(written, numbers_in(written, pub.stats, locale, units, project))
        elif isinstance(block, Table) and id(block.rows) in data_tables:
            spec = pub.tables[data_tables[id(block.rows)][0]]
            add(*_data_table(spec, index, pub.stats, locale, units, project))
        elif isinstance(block, Table) and block.origin == "appendix":
            add(*_appendix(block, index, pub.stats, locale, project))
    panel = next((i for i, b in enumerate(doc.blocks) if isinstance(b, KeyFigurePanel)), None)
    for n, item in enumerate(pub.config.get("key_figures") or []):
        ref = item.get("ref") if isinstance(item, dict) else item
        fact = pub.stats.resolve(str(ref))
        figure = doc.key_figures[n]
        written = Written("", pub.root / "publication.yaml", 0, None, "key_figure",
                          section_block=panel,
                          order=(end if panel is None else panel, 0, n))
        add(written, [data_number(fact, locale.quantity(figure.number, figure.unit)
                                  if figure.unit else figure.number, project)])
    numbers = []
    for _, entry, written in sorted(entries, key=lambda e: e[0]):
        block = written.block
        place = written.place or PLACES.get(doc.blocks[block].kind, doc.blocks[block].kind)
        where = block if block is not None else written.section_block
        numbers.append(PrintedNumber(**entry, block=block, place=place,
                                     section=sections[where] if where is not None else ""))
    return numbers


def plotted_numbers(spec, pub, locale) -> list[dict]:
    """The data values a chart shows, as PrintedNumber fields less where (block, place,
    section): for ``Figure.plots``. Not in the model's list of numbers, which holds the
    text's: a chart draws its values, and no edition's text carries them."""
    project = pub.root.resolve().parent.parent
    return [data_number(fact, locale.quantity(locale.number(fact.value), fact.unit), project)
            for fact in spec.plotted(pub.stats)]


def _data_table(spec, index: int, stats, locale, units, project) -> tuple[Written, list]:
    """A data table's numbers as tablespec prints them: the caption's; the periods heading
    the columns (typed in the spec); each row's label and values (its CSV rows); under
    it, the unit, the notes on derived values and the source line."""
    file = relative(spec.path, project)
    found = numbers_in(Written(spec.caption, spec.path, spec.text_lines.get("caption") or 0),
                       stats, locale, units, project)
    for period, line in zip(spec.columns, spec.column_lines or [0] * len(spec.columns)):
        head = locale.fact_period(stats.resolve(f"{spec.rows[0]}@{period}"))
        found += typed_numbers(head, file, line or 0, [])
    notes = []
    for key, line in zip(spec.rows, spec.row_lines or [0] * len(spec.rows)):
        facts = [stats.resolve(f"{key}@{period}") for period in spec.columns]
        label = spec.row_labels.get(key)
        found += (typed_numbers(str(label), file, line or 0, []) if label else
                  _digits(facts[0], facts[0].label, "label", project))
        for fact in facts:
            number = locale.number(fact.value)
            found.append(data_number(fact, number if spec.unit else
                                     locale.quantity(number, fact.unit), project))
            if fact.derived:
                shown = locale.fact_period(fact)
                notes += _digits(fact, str(label or fact.label), "label", project)
                notes += _digits(fact, shown, "period", project)
                notes += _derived_terms(fact, stats, locale, project)
    found += typed_numbers(spec.unit, file, spec.text_lines.get("unit") or 0, [])
    found += notes
    found += numbers_in(Written(spec.source, spec.path, spec.text_lines.get("source") or 0),
                        stats, locale, units, project)
    return Written("", spec.path, 0, index, "table", order=(index, 1, 0)), found


def _appendix(table: Table, index: int, stats, locale, project) -> tuple[Written, list]:
    """The appendix tables every fact, a row each: label, period, value, unit, section;
    under it, the notes on derived values."""
    from .document import appendix_facts

    found, notes = [], []
    facts = appendix_facts(stats)
    for fact in facts:
        found += _digits(fact, fact.label, "label", project)
        found += _digits(fact, locale.fact_period(fact), "period", project)
        found.append(data_number(fact, locale.number(fact.value), project))
        found += _digits(fact, fact.unit, "unit", project)
        found += _digits(fact, fact.section, "section", project)
    for fact in facts:
        if fact.derived:
            notes += _digits(fact, fact.label, "label", project)
            notes += _derived_terms(fact, stats, locale, project)
    return Written("", "", 0, index, "table", order=(index, 1, 0)), found + notes


def _digits(fact, text: str, kind: str, project: Path) -> list[dict]:
    """The digit runs of a fact's words printed beside its value (its label, period,
    unit, section): from the data, but not its value."""
    return [data_number(fact, m[0], project, kind=kind, value=m[0])
            for m in NUMBER_RE.finditer(text)]


def _derived_terms(fact, stats, locale, project: Path) -> list[dict]:
    """A derived value's note prints the value and the values it was worked out from."""
    terms = stats.terms(fact.derived)
    return [data_number(fact, locale.number(fact.value), project)] + [
        data_number(term, locale.number(term.value), project) for _, term in terms]


def _yaml_line(path, field: str) -> int:
    """The line a top-level field of a YAML spec is typed on (0 when absent)."""
    for n, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith(f"{field}:"):
            return n
    return 0
