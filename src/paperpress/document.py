"""The document model, and the one step that turns Markdown text into it.

Both writers (HTML and Word) read this model, never the Markdown, so the editions cannot
drift apart. Numbers are resolved here: the text holds ``{{ key@period }}`` placeholders
and the model holds the values the data files give.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import write_text
from .errors import SourceError
from .facts import PLACEHOLDER_RE, PlaceholderError, fill_placeholders
from .locale import Locale, load_locale, locale_path
from .markup import (found, markdown_parser, reference_definition, refusal, written_autolink,
                     written_link)
from .statistics import Statistics
from .textfiles import (check_xml_safe, line_of, parse_yaml_mapping, plain_text_fault,
                        read_text_file)

FIGURE_RE = re.compile(r"^figure\s+(?P<id>[a-z0-9][a-z0-9-]*)$")
SEE_RE = re.compile(r"\{\{\s*see\s+(?P<id>[^{}\s]*)\s*\}\}")
REQUIRED_META = ("title", "issuer", "date", "lang")
# About 20 times the bundled white paper (a book of some 200 pages), with the appendix at
# its bound. Measured, the white paper PDF job at its peak: 1 MB of text alone 497 MB;
# 768 KB of text with a 1,000-row appendix 554 MiB, past the build's 500 MiB budget; the
# appendix alone, 1,000 rows 365 MB, 5,000 rows 764 MB (78 s). tools/bench.py builds a
# publication at these bounds ("largest accepted input").
MAX_TEXT_BYTES = 512 * 1024
MAX_APPENDIX_ROWS = 600
# Until the model step is given the locale file the workflow declares: the project's own.
_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def text_locale(meta: dict, path: Path) -> Locale:
    return load_locale(locale_path(_TEMPLATES, meta["lang"], named_in=path,
                                   line=line_of(meta, "lang")))


@dataclass
class Span:
    text: str
    strong: bool = False
    em: bool = False
    ref: str = ""  # a figure reference "（见图3）" links to this anchor ("fig-3")


@dataclass
class Heading:
    level: int
    text: str
    anchor: str
    line: int
    kind: str = "heading"


@dataclass
class Paragraph:
    spans: list[Span]
    line: int
    kind: str = "paragraph"

    @property
    def lead(self) -> str | None:
        """The bold lead sentence that opens the paragraph, if it has one."""
        if self.spans and self.spans[0].strong:
            return self.spans[0].text
        return None

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    @property
    def plain_text(self) -> str:
        """The text without figure references: what a brief or a quotation repeats."""
        return "".join(s.text for s in self.spans if not s.ref)


@dataclass
class Figure:
    chart: str
    number: int
    line: int
    caption: str = ""
    source: str = ""
    alt: str = ""
    kind: str = "figure"


@dataclass
class KeyFigure:
    """A big number for a key-figure panel: value, unit, and one line of context."""

    number: str
    unit: str
    label: str
    period: str


@dataclass
class KeyFigurePanel:
    """Where the text places the key-figure panel ({{ key-figures }})."""

    line: int
    kind: str = "key_figures"


@dataclass
class DataTable:
    """A table of the publication's statistics (the appendix): one row per fact."""

    rows: list[dict]
    line: int = 0
    kind: str = "data_table"

    COLUMNS = (("label", "指标"), ("period", "时期"), ("value", "数值"), ("unit", "单位"),
               ("section", "章节"))


Block = Heading | Paragraph | Figure | KeyFigurePanel | DataTable


@dataclass
class Document:
    meta: dict
    blocks: list[Block] = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    brief: dict = field(default_factory=dict)

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    def to_json(self) -> str:
        return json.dumps({"meta": self.meta, "blocks": [asdict(b) for b in self.blocks],
                           "key_figures": [asdict(k) for k in self.key_figures],
                           "brief": self.brief}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Document:
        data = json.loads(text)
        blocks: list[Block] = []
        for b in data["blocks"]:
            kind = b.pop("kind")
            if kind == "heading":
                blocks.append(Heading(**b))
            elif kind == "paragraph":
                blocks.append(Paragraph(spans=[Span(**s) for s in b["spans"]], line=b["line"]))
            elif kind == "key_figures":
                blocks.append(KeyFigurePanel(**b))
            elif kind == "data_table":
                blocks.append(DataTable(**b))
            else:
                blocks.append(Figure(**b))
        return cls(meta=data["meta"], blocks=blocks,
                   key_figures=[KeyFigure(**k) for k in data.get("key_figures", [])],
                   brief=data.get("brief", {}))

    def figure(self, chart: str) -> Figure:
        for fig in self.figures:
            if fig.chart == chart:
                return fig
        raise KeyError(chart)

    def sections(self, level: int = 1) -> list[tuple[Heading, list[Block]]]:
        """Split the blocks at headings of ``level``: [(heading, blocks until the next)]."""
        out: list[tuple[Heading, list[Block]]] = []
        for block in self.blocks:
            if isinstance(block, Heading) and block.level <= level:
                out.append((block, []))
            elif out:
                out[-1][1].append(block)
        return out


def build_document(root: Path) -> Document:
    """Load a publication's sources and return its document model, every number resolved."""
    from .publication import load_publication  # the loader imports nothing from here

    pub = load_publication(root)
    config_path = pub.root / "publication.yaml"
    doc = parse_text(pub.text_path, pub.stats, set(pub.charts))
    locale = text_locale(doc.meta, pub.text_path)
    for fig in doc.figures:
        spec = pub.charts[fig.chart]
        fig.caption = spec.text("caption", pub.stats, locale)
        fig.source = spec.text("source", pub.stats, locale)
        fig.alt = spec.alt_text(pub.stats, locale)
    brief = dict(pub.config.get("brief") or {})
    for n, item in enumerate(pub.config.get("key_figures") or [], 1):
        ref = item.get("ref") if isinstance(item, dict) else item
        try:
            fact = pub.stats.resolve(str(ref))
        except LookupError as exc:
            raise SourceError(config_path, f"key figure {n}: {exc}") from None
        label = item.get("label", fact.label) if isinstance(item, dict) else fact.label
        doc.key_figures.append(KeyFigure(number=locale.number(fact.value), unit=fact.unit,
                                         label=label, period=locale.period(fact.period)))
    placed = {f.chart for f in doc.figures}
    in_sections = _figures_in_sections(doc)
    for chart in brief.get("charts") or []:
        if chart not in placed:
            raise SourceError(config_path, f"brief chart '{chart}' is not placed in the text"
                                           f" ({', '.join(sorted(placed))})")
        if chart not in in_sections:
            # The brief shows a chart under its section's headline points.
            raise SourceError(config_path, f"brief chart '{chart}' must be placed inside a"
                                           " section (after a '## ' heading) of the text")
    doc.brief = brief
    appendix = pub.config.get("appendix") or {}
    if appendix.get("title") and len(pub.stats.facts) > MAX_APPENDIX_ROWS:
        raise SourceError(config_path, f"the appendix would table all {len(pub.stats.facts)}"
                                       f" data rows; it may have at most {MAX_APPENDIX_ROWS}:"
                                       " leave 'appendix:' out and publish the data file"
                                       " beside the editions", line=line_of(pub.config,
                                                                            "appendix"))
    if appendix.get("title"):
        # The statistics the text draws on, as a table: it follows the last chapter.
        count = sum(1 for b in doc.blocks if isinstance(b, Heading) and b.level == 1)
        doc.blocks.append(Heading(level=1, text=str(appendix["title"]),
                                  anchor=f"sec-{count + 1}", line=0))
        facts = sorted(pub.stats.facts, key=lambda f: _section_order(f.section))
        doc.blocks.append(DataTable(rows=[
            {"label": f.label, "period": locale.period(f.period),
             "value": locale.number(f.value), "unit": f.unit,
             "section": f.section} for f in facts]))
    return doc


def _figures_in_sections(doc: Document) -> set[str]:
    level, found = 0, set()
    for block in doc.blocks:
        if isinstance(block, Heading):
            level = block.level
        elif isinstance(block, Figure) and level >= 2:
            found.add(block.chart)
    return found


_NUMERALS = "一二三四五六七八九十"


def _section_order(section: str) -> tuple[int, ...]:
    """一（三） → (1, 3): sections in the order the text has them (stable otherwise)."""
    return tuple(_NUMERALS.index(c) + 1 for c in section if c in _NUMERALS) or (99,)


def write_document_model(root: Path, out: Path) -> None:
    write_text(Path(out), build_document(root).to_json())


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    if not text.startswith("---\n"):
        raise SourceError(path, "must start with a front matter block (--- title: … ---)",
                          line=1)
    end = text.find("\n---\n", 4)
    if end < 0:
        raise SourceError(path, "front matter is not closed by a line '---'", line=1)
    meta = parse_yaml_mapping(path, text[4:end], first_line=2, what=" of front matter fields")
    for key in REQUIRED_META:
        if not meta.get(key):
            raise SourceError(path, f"front matter lacks '{key}'", line=1)
    for key, value in meta.items():
        lists_allowed = key in ("title_lines", "keywords")
        line = line_of(meta, key)
        if isinstance(value, dict) or (isinstance(value, list) and not lists_allowed):
            raise SourceError(path, f"front matter '{key}' must be text", line=line)
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise SourceError(path, f"front matter '{key}' must be a list of lines", line=line)
        # Every field is printed as typed, on the cover and in the PDF's properties.
        for n, item in enumerate(value if isinstance(value, list) else [value]):
            if fault := plain_text_fault(item):
                raise SourceError(path, f"front matter '{key}' {fault}",
                                  line=line_of(value, n) or line)
    if isinstance(meta.get("title_lines"), str):
        meta["title_lines"] = [meta["title_lines"]]
    if isinstance(meta.get("keywords"), list):
        meta["keywords"] = ", ".join(meta["keywords"])
    # Optional fields, so that templates can rely on every field being there.
    meta.setdefault("subtitle", "")
    meta.setdefault("keywords", "")
    meta.setdefault("title_lines", [meta["title"]])
    body_start_line = text[: end + 5].count("\n") + 1
    return meta, text[end + 5:], body_start_line


def parse_text(path: Path, stats: Statistics, chart_ids: set[str]) -> Document:
    """Parse the publication's Markdown into the document model, resolving placeholders."""
    path = Path(path)
    raw = read_text_file(path, MAX_TEXT_BYTES)
    if not raw.strip():
        raise SourceError(path, "is empty: the text needs front matter and at least a heading")
    meta, body, offset = split_front_matter(path, raw)
    lines = body.splitlines()
    resolver = _Resolver(path, stats, chart_ids, text_locale(meta, path))

    doc = Document(meta=meta)
    tokens = markdown_parser().parse(body)
    figure_no = 0
    counters = [0, 0, 0, 0, 0, 0]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = (tok.map[0] if tok.map else 0) + offset
        src_lines = lines[tok.map[0]:tok.map[1]] if tok.map else []
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            counters[level - 1] += 1
            counters[level:] = [0] * (6 - level)
            spans = resolver.spans(tokens[i + 1], src_lines, line)
            if any(s.ref for s in spans):
                raise SourceError(path, "a figure reference {{ see … }} belongs in a paragraph,"
                                        " not in a heading", line=line)
            anchor = "sec-" + "-".join(str(c) for c in counters[:level])
            doc.blocks.append(Heading(level=level, text="".join(s.text for s in spans),
                                      anchor=anchor, line=line))
            i += 3
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            whole = PLACEHOLDER_RE.fullmatch(inline.content.strip())
            if whole and whole["body"] == "key-figures":
                panels = [b for b in doc.blocks if isinstance(b, KeyFigurePanel)]
                if panels:
                    # Each panel is a page of big numbers: one is all a paper needs.
                    raise SourceError(path, "{{ key-figures }} is placed twice (first on line"
                                            f" {panels[0].line}): keep one", line=line)
                doc.blocks.append(KeyFigurePanel(line=line))
            elif whole and FIGURE_RE.match(whole["body"]):
                chart = resolver.figure(whole["body"], line)
                figure_no += 1
                doc.blocks.append(Figure(chart=chart, number=figure_no, line=line))
            else:
                doc.blocks.append(Paragraph(spans=resolver.spans(inline, src_lines, line),
                                            line=line))
            i += 3
        else:
            raise SourceError(path, refusal(tok, path.name), line=line)
    if not any(isinstance(b, Heading) for b in doc.blocks):
        raise SourceError(path, "has no heading: start each chapter with '# '")
    numbers = {f.chart: f.number for f in doc.figures}
    for span, chart, line in resolver.references:
        if chart not in numbers:
            placed = ", ".join(sorted(numbers)) or "none"
            raise SourceError(path, f"{{{{ see {chart} }}}} refers to no figure in the text"
                                    f" (figures: {placed})", line=line)
        span.text, span.ref = f"（见图{numbers[chart]}）", f"fig-{numbers[chart]}"
    return doc


class _Resolver:
    """Turns inline tokens into spans, replacing placeholders with data values."""

    def __init__(self, path: Path, stats: Statistics, chart_ids: set[str], locale: Locale):
        self.path, self.stats, self.chart_ids, self.locale = path, stats, chart_ids, locale
        self.used_figures: set[str] = set()
        # Figure references wait for the end of the text: a figure may come after them.
        self.references: list[tuple[Span, str, int]] = []

    def _line_of(self, needle: str, src_lines: list[str], first_line: int,
                 start: int = 0) -> int:
        """The line of the block's ``src_lines`` holding ``needle``, from its ``start``-th."""
        for n in range(start, len(src_lines)):
            if needle in src_lines[n]:
                return first_line + n
        return first_line + start

    def figure(self, body: str, line: int) -> str:
        m = FIGURE_RE.match(body)
        if not m:
            raise SourceError(self.path, f"'{{{{ {body} }}}}' is not a figure directive"
                                         " (write {{ figure chart-id }})", line=line)
        chart = m["id"]
        if chart not in self.chart_ids:
            known = ", ".join(sorted(self.chart_ids)) or "none"
            raise SourceError(self.path, f"figure '{chart}' has no chart spec"
                                         f" charts/{chart}.yaml (charts: {known})", line=line)
        if chart in self.used_figures:
            raise SourceError(self.path, f"figure '{chart}' is placed twice", line=line)
        self.used_figures.add(chart)
        return chart

    def substitute(self, text: str, src_lines: list[str], first_line: int) -> str:
        try:
            return fill_placeholders(text, self.stats, self.locale)
        except PlaceholderError as exc:
            line = self._line_of(exc.placeholder, src_lines, first_line)
            raise SourceError(self.path, str(exc), line=line) from None

    def spans(self, inline, src_lines: list[str], first_line: int) -> list[Span]:
        spans: list[Span] = []
        strong = em = 0
        breaks = 0  # line breaks so far: a construct is on that line of the block or later
        for n, source_line in enumerate(src_lines):
            if advice := reference_definition(source_line):
                raise SourceError(self.path, advice, line=first_line + n)
        for child in inline.children or []:
            t = child.type
            if t == "strong_open":
                strong += 1
            elif t == "strong_close":
                strong -= 1
            elif t == "em_open":
                em += 1
            elif t == "em_close":
                em -= 1
            elif t == "text":
                if "](" in child.content:
                    self._refuse_written_link(src_lines, first_line, breaks)
                if advice := written_autolink(child.content):
                    line = self._line_of(child.content.split(">")[0], src_lines, first_line,
                                         breaks)
                    raise SourceError(self.path, advice, line=line)
                pieces = SEE_RE.split(child.content)
                for n, piece in enumerate(pieces):
                    if n % 2:  # a figure reference: its own span, filled in later
                        span = Span(text="", strong=strong > 0, em=em > 0, ref=piece)
                        line = self._line_of(f"see {piece}", src_lines, first_line)
                        self.references.append((span, piece, line))
                        spans.append(span)
                        continue
                    if not piece:
                        continue
                    text = self.substitute(piece, src_lines, first_line)
                    # An entity such as &#12; only becomes a control character here.
                    check_xml_safe(self.path, text, line=self._line_of(piece, src_lines,
                                                                       first_line))
                    span = Span(text=text, strong=strong > 0, em=em > 0)
                    if (spans and not spans[-1].ref
                            and (spans[-1].strong, spans[-1].em) == (span.strong, span.em)):
                        spans[-1].text += span.text
                    else:
                        spans.append(span)
            elif t in ("softbreak", "hardbreak"):
                # The editions break lines themselves: a forced break (two trailing spaces,
                # a backslash) is a line break like any other, and inside a Chinese
                # paragraph a line break is not a space.
                breaks += 1
                if spans and not _is_cjk_boundary(spans[-1].text):
                    spans[-1].text += " "
            else:
                # Raw HTML may hide a line break: look for the construct from there on.
                line = self._line_of(found(child).rstrip("…"), src_lines, first_line, breaks)
                raise SourceError(self.path, refusal(child, self.path.name), line=line)
        return spans

    def _refuse_written_link(self, src_lines: list[str], first_line: int, start: int) -> None:
        """A text holding '](' that the parser did not make a link: refused where the block's
        source writes one out (with its brackets unescaped), from its ``start``-th line."""
        for n in range(start, len(src_lines)):
            if advice := written_link(src_lines[n]):
                raise SourceError(self.path, advice, line=first_line + n)


def _is_cjk_boundary(text: str) -> bool:
    return bool(text) and ord(text[-1]) > 0x2E80
