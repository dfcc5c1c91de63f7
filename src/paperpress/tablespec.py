"""Data tables: a table drawn from the data, declared in ``sources/<pub>/tables/<id>.yaml``.

    caption: Container throughput by port          # plain text, placeholders allowed
    source: "Source: Harbour Authority statistics"
    data: [ports.csv]                               # the data files it reads
    rows: [teu_north, teu_south, teu_total]         # data keys; the label is the data's
    columns: ["2023", "2024", "2025"]               # periods, headed as the language writes them
                                                    # (or a period the data give in words: 十年来)
    row_labels: {teu_total: Total}                  # optional: a row's own label
    unit: thousand TEU                              # optional: printed once, not in every cell

The text places it with ``{{ table <id> }}``; the reader numbers it (表1 / Table 1). Like a
chart, the table is the data's: a changed value in a data file changes it, and a row or
column the data lack stops the build, naming the spec's line. Loading a spec reads no data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .chartspec import check_text_field
from .errors import SourceError
from .facts import PlaceholderError, derived_note, fill_placeholders, notes_text
from .locale import Locale
from .model import Span, Table
from .statistics import KEY_RE, PERIOD_RE, REF_PERIOD, Statistics
from .textfiles import LinedDict, line_of, read_yaml_mapping, refuse_unknown_keys

# A table in a report is read, not searched: past these it belongs in a data file
# published beside the editions (and a page could not hold its columns).
MAX_ROWS = 60
MAX_COLUMNS = 20
REQUIRED = ("caption", "source", "data", "rows", "columns")
OPTIONAL = ("row_labels", "unit")
TEXT_FIELDS = ("caption", "source", "unit")
# The row labels' column is this many times as wide as a column of numbers.
LABEL_COLUMN_SHARE = 2.5


@dataclass(frozen=True)
class TableSpec:
    id: str
    path: str
    caption: str
    source: str
    data: tuple[str, ...]
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    row_labels: dict
    unit: str = ""
    data_lines: tuple[int | None, ...] = ()    # where each name of 'data:' was typed
    row_lines: tuple[int | None, ...] = ()     # where each row was typed
    column_lines: tuple[int | None, ...] = ()  # where each column was typed
    text_lines: dict = field(default_factory=dict, compare=False)  # caption:, source: …

    def text(self, name: str, stats: Statistics, locale: Locale) -> str:
        """A text field (caption, source) with its placeholders filled."""
        try:
            return fill_placeholders(getattr(self, name), stats, locale)
        except PlaceholderError as exc:
            raise SourceError(self.path, f"{name}: {exc}",
                              line=self.text_lines.get(name)) from None

    def table(self, stats: Statistics, locale: Locale) -> Table:
        """The table, every value looked up in the data and printed as the language writes
        numbers (with its unit in each cell unless the spec gives one for all)."""
        body, notes, heads = [], [], {}
        mark = locale.text("derived_mark")
        for key, row_line in zip(self.rows, self.row_lines or [None] * len(self.rows)):
            cells, label = [], self.row_labels.get(key)
            for period, column_line in zip(self.columns,
                                           self.column_lines or [None] * len(self.columns)):
                fact = self._fact(stats, key, period, row_line, column_line)
                heads.setdefault(period, locale.fact_period(fact))
                label = label or fact.label
                number = locale.number(fact.value)
                cell = number if self.unit else locale.quantity(number, fact.unit)
                if fact.derived:
                    # A value worked out from others: marked, and the note says how.
                    cell += mark
                    shown = locale.fact_period(fact)
                    notes.append(derived_note(
                        locale, label + (locale.text("period_note", period=shown)
                                         if shown else ""),
                        fact.value, stats.terms(fact.derived)))
                cells.append(cell)
            body.append([[Span(label)]] + [[Span(c)] for c in cells])
        header = [[[]] + [[Span(heads[p])] for p in self.columns]]
        share = 1 / (LABEL_COLUMN_SHARE + len(self.columns))
        widths = [1 - share * len(self.columns)] + [share] * len(self.columns)
        source = self.text("source", stats, locale)
        if notes:
            # The notes on derived values stand first, before the source.
            source = notes_text(locale, notes) + (
                locale.text("caption_separator") + source if source else "")
        if self.unit:
            # The unit stands once, before the source note: "Unit: thousand TEU. Source: …".
            source = locale.text("unit", unit=self.unit) + (
                locale.text("caption_separator") + source if source else "")
        return Table(header=header, rows=body, align=["left"] + ["right"] * len(self.columns),
                     widths=widths, number=0, caption=self.text("caption", stats, locale),
                     source=source, origin="data")

    def _fact(self, stats: Statistics, key: str, period: str, row_line, column_line):
        try:
            fact = stats.resolve(f"{key}@{period}")
        except LookupError as exc:
            # A key no data has is the row's fault; a period the key lacks, the column's.
            line = row_line if key not in {f.key for f in stats.facts} else column_line
            raise SourceError(self.path, f"row '{key}', column '{period}': {exc}",
                              line=line) from None
        if Path(fact.path).name not in self.data:
            raise SourceError(self.path, f"row '{key}' comes from {Path(fact.path).name},"
                                         " which the table's 'data:' list does not name",
                              line=row_line)
        if self.unit and fact.unit != self.unit:
            # The table prints its unit once, for every cell: each value must be in it.
            raise SourceError(self.path, f"row '{key}' is in '{fact.unit}'"
                                         f" ({Path(fact.path).name} line {fact.line}), not in"
                                         f" the table's unit '{self.unit}': leave 'unit:' out"
                                         " to print each value with its own unit",
                              line=row_line)
        return fact


def load_table_spec(path: Path) -> TableSpec:
    path = Path(path)
    raw = read_yaml_mapping(path, " (caption:, source:, data:, rows:, columns: …)")
    refuse_unknown_keys(path, raw, REQUIRED + OPTIONAL, "a table setting")
    for key in REQUIRED:
        if key not in raw:
            raise SourceError(path, f"lacks '{key}'", line=1)
    for key in TEXT_FIELDS:
        if key in raw:
            check_text_field(path, raw, key, f"'{key}'")
    data = raw["data"] if isinstance(raw["data"], list) else [raw["data"]]
    if not data or not all(isinstance(d, str) for d in data):
        raise SourceError(path, "'data' must name the data files the table reads, e.g."
                                " [trade.csv]", line=line_of(raw, "data"))
    rows = _names(path, raw, "rows", MAX_ROWS, "data keys, e.g. [teu_north, teu_south]")
    columns = _names(path, raw, "columns", MAX_COLUMNS, 'periods, e.g. ["2023", "2024"]')
    for n, key in enumerate(rows):
        if not KEY_RE.match(key):
            raise SourceError(path, f"rows: '{key}' is not a data key (lower-case letters,"
                                    " digits and _)", line=line_of(raw["rows"], n))
    for n, period in enumerate(columns):
        # A period, or the words a data row gives for one (each cell is checked later).
        if not (PERIOD_RE.match(period) or re.fullmatch(REF_PERIOD, period)) or (
                period[:1].isdigit() and not PERIOD_RE.match(period)):
            raise SourceError(path, f"columns: '{period}' is not a period (2023, 2023-06,"
                                    " 2023-H1, 2013/2022 …) or a period the data give in"
                                    " words", line=line_of(raw["columns"], n))
    row_labels = raw.get("row_labels", {})
    if not isinstance(row_labels, dict):
        raise SourceError(path, "'row_labels' must map rows to labels, e.g."
                                " {teu_total: Total}", line=line_of(raw, "row_labels"))
    for key in row_labels:
        if key not in rows:
            raise SourceError(path, f"row_labels: '{key}' is not one of the rows",
                              line=line_of(row_labels, key))
        check_text_field(path, row_labels, key, f"row_labels: '{key}'", kind="label")
    return TableSpec(
        id=path.stem, path=str(path), caption=raw["caption"], source=raw["source"],
        data=tuple(data), rows=tuple(rows), columns=tuple(columns),
        row_labels=dict(row_labels), unit=raw.get("unit", ""),
        data_lines=tuple(line_of(raw["data"], n) or line_of(raw, "data")
                         for n in range(len(data))),
        row_lines=tuple(line_of(raw["rows"], n) or line_of(raw, "rows")
                        for n in range(len(rows))),
        column_lines=tuple(line_of(raw["columns"], n) or line_of(raw, "columns")
                           for n in range(len(columns))),
        text_lines={k: line_of(raw, k) for k in TEXT_FIELDS})


def _names(path: Path, raw: LinedDict, key: str, limit: int, example: str) -> list[str]:
    value = raw[key]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise SourceError(path, f"'{key}' must be a list of {example}", line=line_of(raw, key))
    if len(value) > limit:
        raise SourceError(path, f"'{key}' has {len(value)} items: a table has at most"
                                f" {limit}", line=line_of(raw, key))
    for n, item in enumerate(value):
        if item in value[:n]:
            raise SourceError(path, f"{key}: '{item}' is given twice",
                              line=line_of(value, n))
    return list(value)
