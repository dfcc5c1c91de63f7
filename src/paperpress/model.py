"""The render model: every block type a publication may hold, and nothing else.

The reader (document.py) decides everything here once: numbers and labels (图3 / Figure 3),
cross-reference text, footnote numbers, table alignment and column shares, the brief's
selection, and the words the pipeline itself prints (from the publication's locale). The
HTML and Word writers map this closed set of block types to markup and decide nothing; a
kind they do not know is an error (``UnknownBlock``), never skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields


@dataclass
class Span:
    """A run of inline text. At most one of ``ref``, ``href`` and ``note`` is set."""

    text: str
    strong: bool = False
    em: bool = False
    ref: str = ""   # a cross-reference: the anchor of the figure/table/box/section named
    href: str = ""  # a link out (https:, http:, mailto:), clickable, never fetched
    note: int = 0   # a footnote call: the note's number (``text`` is its marker)
    aside: bool = False  # a cross-reference in brackets, （见图3）: left out when quoted


INLINE_REFERENCE = "\ufffc"


def quoted(spans: list[Span]) -> str:
    """Spans as a brief quotes them: without note calls and bracketed cross-references
    (and the space left before them), a link as its text. A reference inside the sentence
    ("as Figure 3 shows") is kept as ``INLINE_REFERENCE``: the brief numbers its figures
    anew, so a sentence holding one cannot be quoted as it stands."""
    text = "".join(INLINE_REFERENCE if s.ref and not s.aside else s.text
                   for s in spans if not (s.aside or s.note))
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([.,;:!?)\]。，；：！？）])")


def plain(spans: list[Span]) -> str:
    return "".join(s.text for s in spans)


@dataclass
class Heading:
    level: int
    text: str
    anchor: str
    line: int = 0
    kind: str = "heading"


@dataclass
class Paragraph:
    spans: list[Span]
    line: int = 0
    kind: str = "paragraph"

    @property
    def lead_spans(self) -> int:
        """How many spans the bold lead sentence that opens the paragraph runs over (a
        link, a note call or a cross-reference may stand inside it); 0 when it has none."""
        count = 0
        for span in self.spans:
            if not (span.strong or span.note):
                break
            count += 1
        while count and self.spans[count - 1].note:
            count -= 1  # a note called right after the lead belongs to the rest
        return count

    @property
    def lead(self) -> str | None:
        """The bold lead sentence that opens the paragraph, as a brief quotes it (see
        ``quoted``), if it has one."""
        return quoted(self.spans[:self.lead_spans]) or None

    @property
    def text(self) -> str:
        return plain(self.spans)

    @property
    def plain_text(self) -> str:
        """The whole paragraph as a brief quotes it (see ``quoted``)."""
        return quoted(self.spans)

    @property
    def rest(self) -> str:
        """What follows the lead sentence, as a brief quotes it."""
        return quoted(self.spans[self.lead_spans:]).strip()


@dataclass
class ListBlock:
    """A bulleted or numbered list; each item is a list of blocks (paragraphs, and at most
    one more level of list)."""

    ordered: bool
    items: list[list]
    start: int = 1
    depth: int = 1  # 1 for a list in the text, 2 for a list inside an item
    line: int = 0
    kind: str = "list"


@dataclass
class Quote:
    blocks: list
    line: int = 0
    kind: str = "quote"


@dataclass
class Box:
    """A numbered box (专栏 / Box): a titled panel of blocks set apart from the text."""

    number: int
    label: str        # "专栏1" / "Box 1"
    label_word: str   # "专栏" / "Box": what a Word SEQ field counts
    title: str
    anchor: str
    blocks: list
    line: int = 0
    kind: str = "box"


@dataclass
class Figure:
    """A chart drawn from the data (charts/<chart>.yaml)."""

    chart: str
    number: int
    line: int = 0
    label: str = ""
    label_word: str = ""
    anchor: str = ""
    caption: str = ""
    source: str = ""
    alt: str = ""
    unit_label: str = ""
    kind: str = "figure"
    # The data values the chart shows, each as a PrintedNumber's fields less where (key,
    # period, value, unit, text, file, line …): the change report lists the chart among
    # the places of a changed value, the provenance report lists them with the chart.
    # The writers ignore it.
    plots: list[dict] = field(default_factory=list)


@dataclass
class Image:
    """A picture from the publication's own folder, numbered with the figures."""

    src: str          # relative to the publication's folder, e.g. images/harbour.jpg
    number: int
    label: str
    label_word: str
    anchor: str
    caption: str
    alt: str
    source: str = ""
    width: float = 1.0  # share of the text column
    pixel_width: int = 0
    pixel_height: int = 0
    media_type: str = ""
    line: int = 0
    kind: str = "image"


@dataclass
class Table:
    """A table: typed in the text (origin "text"), drawn from the data by a table spec
    (origin "data"), or the statistics appendix (origin "appendix", not numbered)."""

    header: list[list[list[Span]]]   # rows of cells; a cell is a list of spans
    rows: list[list[list[Span]]]
    align: list[str]                 # per column: left, right or center
    widths: list[float]              # per column: share of the text width
    number: int = 0                  # 0: not numbered (no label, no caption line)
    label: str = ""
    label_word: str = ""
    anchor: str = ""
    caption: str = ""
    source: str = ""
    origin: str = "text"
    line: int = 0
    kind: str = "table"


@dataclass
class KeyFigurePanel:
    """Where the text places the key-figure panel ({{ key-figures }})."""

    line: int = 0
    kind: str = "key_figures"


BLOCK_TYPES = {cls.__dataclass_fields__["kind"].default: cls
               for cls in (Heading, Paragraph, ListBlock, Quote, Box, Figure, Image, Table,
                           KeyFigurePanel)}
Block = Heading | Paragraph | ListBlock | Quote | Box | Figure | Image | Table | KeyFigurePanel
NUMBERED = (Figure, Image, Table, Box)


class UnknownBlock(ValueError):
    def __init__(self, kind: str, writer: str = "the model"):
        super().__init__(f"{writer} has no markup for a block of kind '{kind}'")


@dataclass
class KeyFigure:
    """A big number for a key-figure panel: value, unit, and one line of context."""

    number: str
    unit: str
    label: str
    period: str
    period_note: str = ""  # the period as the panel prints it after the label: "（2022年）"
    unit_separator: str = ""  # between the number and its unit: " " in English


@dataclass
class EditionLink:
    """Another edition of the publication, as the web edition links to it."""

    label: str  # from the locale: "PDF edition", "Word版"
    href: str   # its file name: it is published beside the web edition, in output/<pub>/


@dataclass
class Note:
    """A footnote: its number, and its text as paragraphs of spans."""

    number: int
    paragraphs: list[list[Span]]
    anchor: str      # where the note is (fn-1)
    call_anchor: str  # where the text calls it (fnref-1), for the back-link
    line: int = 0


@dataclass
class BriefPoint:
    lead: str
    evidence: str  # the statement after the lead, with the space a Latin script puts before it


@dataclass
class BriefSection:
    heading: str
    points: list[BriefPoint]
    figures: list[Figure] = field(default_factory=list)  # numbered in the brief's order


@dataclass
class BriefChapter:
    heading: str
    summary: str
    figures: list[Figure] = field(default_factory=list)  # placed before any section
    sections: list[BriefSection] = field(default_factory=list)


@dataclass
class Brief:
    title: str
    chapters: list[BriefChapter] = field(default_factory=list)

    @property
    def charts(self) -> list[Figure]:
        return [f for c in self.chapters
                for f in c.figures + [f for s in c.sections for f in s.figures]]


@dataclass
class PrintedNumber:
    """A number an edition prints, and where it comes from (provenance.py): the data
    (``key``, ``period``, the CSV row's ``file`` and ``line``) or typed by the editor
    (the ``file`` and ``line`` it was typed on). The writers print none of this; the
    provenance report, the change report and the cross-edition check read it."""

    text: str      # as printed: "4168列", "1.55 million TEU", "2013"
    value: str     # the decimal, plain: "4168", "1.55"
    unit: str
    source: str    # "data" or "typed"
    key: str
    period: str    # the data's period id ("2023-06", "十年来", "-"), "" when typed
    file: str      # relative to the project: sources/<pub>/data/x.csv, sources/<pub>/text.md
    line: int      # the CSV row's physical line (header = 1), or the line typed on
    block: int | None  # index in Document.blocks; None outside them (key figures, notes)
    place: str     # paragraph, heading, list, quote, box, table, figure, key_figure, note …
    section: str   # anchor of the heading it stands under ("" before the first)
    kind: str = ""  # year, date, ordinal, quantity (typed); value, period, label (data)


@dataclass
class Document:
    meta: dict
    blocks: list = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    brief: Brief | None = None  # None: the publication has no brief
    # The words the writers print that no source holds (contents, key figures, notes …),
    # in the publication's language: from its locale file.
    strings: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)  # chapters_on_new_page …
    contents: list[Heading] = field(default_factory=list)
    editions: list[EditionLink] = field(default_factory=list)  # the web edition links these
    numbers: list[PrintedNumber] = field(default_factory=list)  # in reading order

    def walk(self):
        """Every block, those inside lists, quotes and boxes too, in reading order."""
        yield from walk(self.blocks)

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.walk() if isinstance(b, Figure)]

    @property
    def images(self) -> list[Image]:
        return [b for b in self.walk() if isinstance(b, Image)]

    def figure(self, chart: str) -> Figure:
        for fig in self.figures:
            if fig.chart == chart:
                return fig
        raise KeyError(chart)

    def sections(self, level: int = 1) -> list[tuple[Heading, list]]:
        """Split the blocks at headings of ``level``: [(heading, blocks until the next)]."""
        out: list[tuple[Heading, list]] = []
        for block in self.blocks:
            if isinstance(block, Heading) and block.level <= level:
                out.append((block, []))
            elif out:
                out[-1][1].append(block)
        return out

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Document:
        data = json.loads(text)
        brief = data.get("brief")
        return cls(meta=data["meta"], blocks=[_block(b) for b in data["blocks"]],
                   key_figures=[KeyFigure(**k) for k in data.get("key_figures", [])],
                   notes=[Note(**{**n, "paragraphs": [_spans(p) for p in n["paragraphs"]]})
                          for n in data.get("notes", [])],
                   brief=None if brief is None else Brief(
                       title=brief["title"],
                       chapters=[_brief_chapter(c) for c in brief["chapters"]]),
                   strings=data.get("strings", {}), settings=data.get("settings", {}),
                   contents=[Heading(**h) for h in data.get("contents", [])],
                   editions=[EditionLink(**e) for e in data.get("editions", [])],
                   numbers=[PrintedNumber(**n) for n in data.get("numbers", [])])


def walk(blocks):
    for block in blocks:
        yield block
        if isinstance(block, (Quote, Box)):
            yield from walk(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk(item)


def _spans(items) -> list[Span]:
    return [Span(**s) for s in items]


def _block(data: dict):
    data = dict(data)
    kind = data.get("kind")
    cls = BLOCK_TYPES.get(kind)
    if cls is None:
        raise UnknownBlock(str(kind))
    if cls is Paragraph:
        data["spans"] = _spans(data["spans"])
    elif cls in (Quote, Box):
        data["blocks"] = [_block(b) for b in data["blocks"]]
    elif cls is ListBlock:
        data["items"] = [[_block(b) for b in item] for item in data["items"]]
    elif cls is Table:
        for part in ("header", "rows"):
            data[part] = [[_spans(cell) for cell in row] for row in data[part]]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def _brief_chapter(data: dict) -> BriefChapter:
    return BriefChapter(
        heading=data["heading"], summary=data["summary"],
        figures=[_block(f) for f in data.get("figures", [])],
        sections=[BriefSection(heading=s["heading"],
                               points=[BriefPoint(**p) for p in s["points"]],
                               figures=[_block(f) for f in s["figures"]])
                  for s in data["sections"]])
