"""Chart specs: what each chart shows, declared in ``sources/<pub>/charts/<id>.yaml``.

Loading a spec does not import matplotlib, so the document step can check figure
references and the workflow can read a chart's data files cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .facts import PlaceholderError, fill_placeholders
from .statistics import Statistics
from .textfiles import line_of, read_yaml_mapping

KINDS = ("column", "bar", "line")
_TERM_RE = re.compile(r"\s*([+-])?\s*([a-z][a-z0-9_]*(?:@[0-9HQ/\-]+)?)\s*")


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    text: str  # the value as prose would print it, for labels and alt text


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

    def points(self, stats: Statistics) -> list[Point]:
        """The values to draw, taken from the data (sums and differences allowed)."""
        out = []
        for n, item in enumerate(self.series, 1):
            expr = str(item["value"])
            facts = []
            total = 0.0
            pos = 0
            for m in _TERM_RE.finditer(expr):
                if m.start() != pos or (pos > 0 and not m[1]):
                    break
                pos = m.end()
                try:
                    fact = stats.resolve(m[2])
                except LookupError as exc:
                    raise SourceError(self.path, f"series item {n}: {exc}") from None
                if Path(fact.path).name not in self.data:
                    raise SourceError(self.path, f"series item {n}: '{m[2]}' comes from"
                                                 f" {Path(fact.path).name}, which the chart's"
                                                 " 'data:' list does not name")
                facts.append(fact)
                total += -float(fact) if m[1] == "-" else float(fact)
            if pos != len(expr) or not facts:
                raise SourceError(self.path, f"series item {n}: '{expr}' is not a data"
                                             " reference or a sum/difference of references")
            decimals = max(-f.value.as_tuple().exponent for f in facts)
            text = f"{total:.{max(decimals, 0)}f}"
            label = str(item.get("label") or facts[0].period_label)
            out.append(Point(label=label, value=total, text=text))
        return out

    def text(self, field: str, stats: Statistics) -> str:
        """A text field (caption, source, alt, note) with its placeholders filled."""
        try:
            return fill_placeholders(getattr(self, field), stats)
        except PlaceholderError as exc:
            raise SourceError(self.path, f"{field}: {exc}") from None

    def alt_text(self, stats: Statistics) -> str:
        """Alt text that states the data, so it stays true when the numbers change."""
        values = "；".join(f"{p.label}{p.text}{self.unit}" for p in self.points(stats))
        alt = self.text("alt", stats)
        return f"{alt}：{values}。" if alt else f"{values}。"


def load_chart_spec(path: Path) -> ChartSpec:
    path = Path(path)
    raw = read_yaml_mapping(path, " (caption:, kind:, series: …)")
    for key in ("kind", "data", "unit", "series", "caption", "source"):
        if key not in raw:
            raise SourceError(path, f"lacks '{key}'")
    if raw["kind"] not in KINDS:
        raise SourceError(path, f"kind '{raw['kind']}' is not one of {', '.join(KINDS)}")
    data = raw["data"] if isinstance(raw["data"], list) else [raw["data"]]
    if not data or not all(isinstance(d, str) for d in data):
        raise SourceError(path, "'data' must name the data files the chart reads, e.g."
                                " [trade.csv]", line=line_of(raw, "data"))
    data_lines = tuple(line_of(raw["data"], n) or line_of(raw, "data")
                       for n in range(len(data)))
    series = raw["series"]
    if not isinstance(series, list) or not series:
        raise SourceError(path, "'series' must be a list of {label, value} items")
    for n, item in enumerate(series, 1):
        if not isinstance(item, dict) or "value" not in item:
            raise SourceError(path, f"series item {n} needs a 'value' (a data reference)")
    return ChartSpec(id=path.stem, path=str(path), kind=raw["kind"], unit=str(raw["unit"]),
                     data=tuple(str(d) for d in data), series=tuple(series),
                     caption=str(raw["caption"]), source=str(raw["source"]),
                     alt=str(raw.get("alt", "")), note=str(raw.get("note", "")),
                     data_lines=data_lines)


def chart_data_paths(spec: ChartSpec, data_dir: Path) -> list[Path]:
    """The data files a chart's 'data:' list names, each inside the publication's data/
    folder and present (see inputs.resolve_named_file)."""
    from .inputs import resolve_named_file

    data_dir = Path(data_dir)
    return [resolve_named_file(name, base=data_dir, inside=(data_dir,), named_in=Path(spec.path),
                               line=line, what="data file")
            for name, line in zip(spec.data, spec.data_lines or [None] * len(spec.data))]
