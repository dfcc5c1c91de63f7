"""Chart specs: what each chart shows, declared in ``sources/<pub>/charts/<id>.yaml``.

Loading a spec does not import matplotlib, so the document step can check figure
references and the workflow can read a chart's data files cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .errors import SourceError
from .facts import PlaceholderError, derived_note, fill_placeholders
from .locale import Locale
from .statistics import TERM_RE, Fact, Statistics
from .textfiles import line_of, plain_text_fault, read_yaml_mapping, refuse_unknown_keys

KINDS = ("column", "bar", "line")
SETTINGS = ("caption", "kind", "unit", "data", "series", "source", "alt", "note")
# A chart is read at a glance: far fewer bars than this. 1,000 bars made a 1770 x 150225
# pixel PNG (1.17 GB to draw).
MAX_SERIES = 60
# The spec's text fields: printed as typed (captions, the unit, labels on the chart).
TEXT_FIELDS = ("caption", "unit", "source", "alt", "note")
# Characters in a text field: a caption or a source note is a sentence or two; the unit
# and the labels stand on the chart, and the unit is repeated after every value of the
# alt text.
MAX_TEXT_CHARS = {"caption": 1000, "source": 1000, "alt": 1000, "note": 1000, "unit": 200,
                  "label": 200}


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    text: str  # the value as the text would print it (locale.number), for labels and alt text
    derived: str = ""  # the note saying how a derived value was worked out, "" for none


@dataclass(frozen=True)
class ChartSpec:
    id: str
    path: str
    kind: str
    unit: str
    data: tuple[str, ...]
    series: tuple[dict, ...]
    caption: str
    source: str
    alt: str
    note: str = ""
    data_lines: tuple[int | None, ...] = ()  # where each name of 'data:' was typed
    source_line: int | None = None

    def values(self, stats: Statistics) -> list[tuple[Decimal, str]]:
        """Each series item's value, taken from the data (sums and differences allowed),
        with the period of its first term; a reference the data lack names the spec."""
        return [(total, terms[0][1].period_id) for total, terms in self.terms(stats)]

    def terms(self, stats: Statistics) -> list[tuple[Decimal, list[tuple[int, Fact]]]]:
        """Each series item's value with the data rows it adds up, each with its sign."""
        out = []
        for n, item in enumerate(self.series, 1):
            expr = str(item["value"])
            terms = []
            # Decimal arithmetic: 106 - 41 is 65, and a sum has the most decimals of its
            # terms (1.50 + 2 is 3.50), as the data typed them.
            total = Decimal(0)
            pos = 0
            line = line_of(item, "value") if isinstance(item, dict) else None
            for m in TERM_RE.finditer(expr):
                if m.start() != pos or (pos > 0 and not m[1]):
                    break
                pos = m.end()
                try:
                    fact = stats.resolve(m[2])
                except LookupError as exc:
                    raise SourceError(self.path, f"series item {n}: {exc}", line=line) from None
                if Path(fact.path).name not in self.data:
                    raise SourceError(self.path, f"series item {n}: '{m[2]}' comes from"
                                                 f" {Path(fact.path).name}, which the chart's"
                                                 " 'data:' list does not name", line=line)
                if fact.unit != self.unit:
                    # The chart prints its unit once, over every bar: each value must be in it.
                    raise SourceError(self.path, f"series item {n}: '{m[2]}' is in"
                                                 f" '{fact.unit}' ({Path(fact.path).name} line"
                                                 f" {fact.line}), not in the chart's unit"
                                                 f" '{self.unit}'", line=line)
                terms.append((-1 if m[1] == "-" else 1, fact))
                total += -fact.value if m[1] == "-" else fact.value
            if pos != len(expr) or not terms:
                raise SourceError(self.path, f"series item {n}: '{expr}' is not a data"
                                             " reference or a sum/difference of references",
                                  line=line)
            out.append((total, terms))
        return out

    def plotted(self, stats: Statistics) -> list[Fact]:
        """The data rows the chart shows: each series item's terms and, for a value the
        data mark as derived, the rows its note works it out from (the note prints their
        values). A change to any of them changes the chart."""
        facts: dict[tuple[str, str], Fact] = {}
        for _, terms in self.terms(stats):
            shown = [fact for _, fact in terms]
            if len(shown) == 1 and shown[0].derived:
                shown += [fact for _, fact in stats.terms(shown[0].derived)]
            for fact in shown:
                facts.setdefault((fact.key, fact.period_id), fact)
        return list(facts.values())

    def points(self, stats: Statistics, locale: Locale) -> list[Point]:
        """The values to draw, labelled as the publication's language writes periods and
        numbers (an item's own label, else its period). A value the spec works out
        (``a - b``), or one the data mark as derived, carries the language's mark after its
        label and a note saying how it was worked out."""
        points = []
        for n, (item, (total, terms)) in enumerate(zip(self.series, self.terms(stats)), 1):
            label = str(item.get("label") or locale.fact_period(terms[0][1]))
            if not label:
                raise SourceError(self.path, f"series item {n}: '{item['value']}' has no"
                                             " period to label it with: give it a label",
                                  line=line_of(item, "value"))
            if len(terms) == 1 and terms[0][1].derived:
                terms = stats.terms(terms[0][1].derived)
            note = derived_note(locale, label, total, terms) if len(terms) > 1 else ""
            points.append(Point(label=label + (locale.text("derived_mark") if note else ""),
                                value=float(total), text=locale.number(total), derived=note))
        return points

    def text(self, field: str, stats: Statistics, locale: Locale) -> str:
        """A text field (caption, source, alt, note) with its placeholders filled."""
        try:
            return fill_placeholders(getattr(self, field), stats, locale)
        except PlaceholderError as exc:
            raise SourceError(self.path, f"{field}: {exc}") from None

    def alt_text(self, stats: Statistics, locale: Locale) -> str:
        """Alt text that states the data, so it stays true when the numbers change:
        柱状图，……：2013年664.4亿元；2022年3518.1亿元。 / Column chart …: 2013: 1.2 million
        TEU; 2022: 1.5 million TEU."""
        values = locale.text("list_separator").join(
            locale.text("data_point", label=p.label, value=locale.quantity(p.text, self.unit))
            for p in self.points(stats, locale))
        end = locale.text("sentence_end")
        alt = self.text("alt", stats, locale).strip().removesuffix(end)
        if alt:
            alt = locale.text("alt_with_values", alt=alt, values=values) + end
        else:
            alt = values + end
        notes = [p.derived.removesuffix(end) + end for p in self.points(stats, locale)
                 if p.derived]
        return locale.text("sentence_join").join([alt, *notes])


def load_chart_spec(path: Path) -> ChartSpec:
    path = Path(path)
    raw = read_yaml_mapping(path, " (caption:, kind:, series: …)")
    refuse_unknown_keys(path, raw, SETTINGS, "a chart setting")
    for key in ("kind", "data", "unit", "series", "caption", "source"):
        if key not in raw:
            raise SourceError(path, f"lacks '{key}'", line=1)
    if raw["kind"] not in KINDS:
        raise SourceError(path, f"kind '{raw['kind']}' is not one of {', '.join(KINDS)}",
                          line=line_of(raw, "kind"))
    data = raw["data"] if isinstance(raw["data"], list) else [raw["data"]]
    if not data or not all(isinstance(d, str) for d in data):
        raise SourceError(path, "'data' must name the data files the chart reads, e.g."
                                " [trade.csv]", line=line_of(raw, "data"))
    data_lines = tuple(line_of(raw["data"], n) or line_of(raw, "data")
                       for n in range(len(data)))
    series = raw["series"]
    if not isinstance(series, list) or not series:
        raise SourceError(path, "'series' must be a list of {label, value} items",
                          line=line_of(raw, "series"))
    if len(series) > MAX_SERIES:
        raise SourceError(path, f"'series' has {len(series)} items: a chart shows at most"
                                f" {MAX_SERIES}", line=line_of(raw, "series"))
    for n, item in enumerate(series, 1):
        if not isinstance(item, dict) or "value" not in item:
            raise SourceError(path, f"series item {n} needs a 'value' (a data reference)",
                              line=line_of(series, n - 1))
        for key in item:
            if key not in ("label", "value"):
                raise SourceError(path, f"series item {n}: '{key}' is not a series setting"
                                        " (they are label, value; colours come from"
                                        " templates/charts/house.mplstyle)",
                                  line=line_of(item, key))
        check_text_field(path, item, "value", f"series item {n}: 'value'")
        if "label" in item:
            check_text_field(path, item, "label", f"series item {n}: 'label'")
    for field in TEXT_FIELDS:
        if field in raw:
            check_text_field(path, raw, field, f"'{field}'")
    return ChartSpec(id=path.stem, path=str(path), kind=raw["kind"], unit=raw["unit"],
                     data=tuple(str(d) for d in data), series=tuple(series),
                     caption=raw["caption"], source=raw["source"], alt=raw.get("alt", ""),
                     note=raw.get("note", ""), data_lines=data_lines,
                     source_line=line_of(raw, "source"))


def check_text_field(path: Path, mapping: dict, key: str, shown: str,
                     kind: str | None = None) -> None:
    """A text field must be text (not a list or a mapping, which would print as Python
    writes them), of bounded length (that of a ``kind`` of field, by default ``key``), and
    plain: it is printed as typed."""
    value, line = mapping[key], line_of(mapping, key)
    if not isinstance(value, str):
        kind = "a list" if isinstance(value, list) else "a mapping"
        raise SourceError(path, f"{shown} must be text, not {kind}: write it on one line,"
                                " in quotes if it holds [ ] { } or a colon", line=line)
    limit = MAX_TEXT_CHARS.get(kind or key)
    if limit is not None and len(value) > limit:
        raise SourceError(path, f"{shown} has {len(value)} characters: at most {limit}",
                          line=line)
    if (kind or key) != "value" and (fault := plain_text_fault(value)):
        raise SourceError(path, f"{shown} {fault}", line=line)
