"""The reader: a publication's sources into the render model (model.py), once.

Both writers (HTML and Word) read the model, never the Markdown, so the editions cannot
drift apart. Everything an edition prints that is not typed as it stands is decided here:
numbers and units from the data (``{{ key@period }}``) in the language's formats, figure,
table and box numbers and labels, cross-reference texts, footnote numbers, the contents,
the brief's selection, and the words of the publication's locale.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs.parse import ParseError, parse as parse_attrs

from .atomic import write_text
from .errors import SourceError
from .brief import is_cjk_boundary, make_brief
from .decimals import align_decimals
from .facts import (PLACEHOLDER_RE, PlaceholderError, derived_note, fill_placeholders,
                    notes_text)
from .images import IMAGE_TYPES, image_size
from .inputs import LINKED_EDITIONS
from .locale import Locale, load_locale, locale_path
from .markup import (found, markdown_parser, reference_definition, refusal, written_autolink,
                     written_link)
from .model import (Box, Document, EditionLink, Figure, Heading, Image, KeyFigure,
                    KeyFigurePanel, ListBlock, Note, Paragraph, Quote, Span, Table, plain, walk)
from .provenance import Written, collect as collect_numbers, plotted_numbers
from .statistics import Statistics
from .textfiles import (MAX_TEXT_BYTES, check_xml_safe, line_of, plain_text_fault,
                        read_text_file)
from .textfiles import split_front_matter as read_front_matter_block

DIRECTIVE_RE = re.compile(r"^(?P<name>figure|table)\s+(?P<id>[a-z0-9][a-z0-9-]*)$")
CROSS_REF_RE = re.compile(r"\{\{\s*(?P<form>see|ref)\s+(?P<id>[^{}\s]*)\s*\}\}")
TABLE_CAPTION_RE = re.compile(r"^(?:Table|表)\s*[:：]\s*")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
REQUIRED_META = ("title", "issuer", "date", "lang")
OPTIONAL_META = ("subtitle", "title_lines", "keywords")
LINK_SCHEMES = ("https:", "http:", "mailto:")
MAX_HEADING_LEVEL = 3
MAX_LIST_DEPTH = 2
# The appendix alone, measured: 1,000 rows 365 MB, 5,000 rows 764 MB (78 s) at the PDF
# job's peak.
MAX_APPENDIX_ROWS = 600


def build_document(root: Path, templates: Path | None = None) -> Document:
    """Load a publication's sources and return its render model. ``templates`` is the
    project's templates folder (by default the one beside sources/)."""
    from .publication import has_brief, layout_settings, load_publication

    pub = load_publication(root)
    templates = Path(root).resolve().parent.parent / "templates" if templates is None \
        else Path(templates)
    config_path = pub.root / "publication.yaml"
    meta = read_front_matter(pub.text_path)
    locale = load_locale(locale_path(templates, meta["lang"], named_in=pub.text_path,
                                     line=line_of(meta, "lang")))
    tables = {table_id: spec.table(pub.stats, locale)
              for table_id, spec in pub.tables.items()}
    text_log: list[Written] = []
    doc = parse_text(pub.text_path, pub.stats, set(pub.charts), locale=locale, tables=tables,
                     root=pub.root, log=text_log)
    for fig in doc.figures:
        spec = pub.charts[fig.chart]
        fig.caption = spec.text("caption", pub.stats, locale)
        fig.source = spec.text("source", pub.stats, locale)
        fig.alt = spec.alt_text(pub.stats, locale)
        fig.plots = plotted_numbers(spec, pub, locale)
    _refuse_self_sources(doc, pub, tables, meta["title"])
    for n, item in enumerate(pub.config.get("key_figures") or [], 1):
        ref = item.get("ref") if isinstance(item, dict) else item
        try:
            fact = pub.stats.resolve(str(ref))
        except LookupError as exc:
            raise SourceError(config_path, f"key figure {n}: {exc}",
                              line=line_of(pub.config["key_figures"], n - 1)) from None
        label = item.get("label", fact.label) if isinstance(item, dict) else fact.label
        period = locale.fact_period(fact)
        doc.key_figures.append(KeyFigure(number=locale.number(fact.value), unit=fact.unit,
                                         label=label, period=period,
                                         period_note=locale.text("period_note",
                                                                 period=period)
                                         if period else "",
                                         unit_separator=locale.unit_separator(fact.unit)))
    panel = next((b for b in doc.blocks if isinstance(b, KeyFigurePanel)), None)
    if panel is not None and not doc.key_figures:
        raise SourceError(pub.text_path, "{{ key-figures }} shows the figures publication.yaml"
                                         " lists under 'key_figures:', and it lists none: add"
                                         " them, or delete this line", line=panel.line)
    _add_appendix(doc, pub, locale, config_path)
    align_decimals(doc.blocks, locale.number_symbols)
    doc.settings = layout_settings(pub.config)
    doc.editions = [EditionLink(label=locale.text(key), href=name)
                    for key, name in LINKED_EDITIONS]
    # The Word editions declare the language and the faces to fall back on, the locale's.
    doc.settings |= {"language": locale.language_tag, "word_fonts": locale.word_fonts}
    if has_brief(pub.config):
        doc.brief = make_brief(doc, pub.config.get("brief") or {}, locale, config_path)
    doc.numbers = collect_numbers(doc, pub, locale, text_log, tables)
    return doc


def _refuse_self_sources(doc: Document, pub, tables: dict, title: str) -> None:
    """A source line names who published the numbers, never this publication itself (its
    title however spaced, dashed or cased); a chart or data table has one."""
    own = _comparable(title)

    def check(source: str, path, line, required: bool = False) -> None:
        if required and not source.strip():
            raise SourceError(path, "source is empty: name the body the numbers come from,"
                                    " as the text states it, else the issuer", line=line)
        if own and own in _comparable(source):
            raise SourceError(path, f"source '{source}' names this publication itself"
                                    f" ('{title}'): name the body the numbers come from, as"
                                    " the text states it, else the issuer", line=line)

    for fig in doc.figures:
        spec = pub.charts[fig.chart]
        check(fig.source, spec.path, spec.source_line, required=True)
    for table_id, table in tables.items():
        spec = pub.tables[table_id]
        check(table.source, spec.path, spec.text_lines.get("source"), required=True)
    for block in walk(doc.blocks):
        if isinstance(block, (Image, Table)) and getattr(block, "origin", "") != "data":
            check(block.source, pub.text_path, block.line)


def _comparable(text: str) -> str:
    """``text`` as a reader compares titles: letters and digits only, case folded."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _add_appendix(doc: Document, pub, locale: Locale, config_path: Path) -> None:
    appendix = pub.config.get("appendix") or {}
    if not appendix.get("title"):
        return
    if len(pub.stats.facts) > MAX_APPENDIX_ROWS:
        raise SourceError(config_path, f"the appendix would table all {len(pub.stats.facts)}"
                                       f" data rows; it may have at most {MAX_APPENDIX_ROWS}:"
                                       " leave 'appendix:' out and publish the data file"
                                       " beside the editions",
                          line=line_of(pub.config, "appendix"))
    if not pub.stats.facts:
        raise SourceError(config_path, "the appendix tables the data files, and there are"
                                       " none: leave 'appendix:' out",
                          line=line_of(pub.config, "appendix"))
    # The statistics the text draws on, as a table: it follows the last chapter.
    count = sum(1 for b in doc.blocks if isinstance(b, Heading) and b.level == 1)
    heading = Heading(level=1, text=str(appendix["title"]), anchor=f"sec-{count + 1}")
    doc.blocks.append(heading)
    doc.contents.append(heading)
    facts = appendix_facts(pub.stats)
    columns = ("label", "period", "value", "unit", "section")
    header = [[[Span(locale.text(f"appendix_{c}"))] for c in columns]]
    mark = locale.text("derived_mark")
    rows = [[[Span(f.label)], [Span(locale.fact_period(f) or locale.text("period_unstated"))],
             [Span(locale.number(f.value) + (mark if f.derived else ""))], [Span(f.unit)],
             [Span(f.section)]]
            for f in facts]
    # A value worked out from others is marked, and the note under the table says how.
    notes = [derived_note(locale, f.label, f.value, pub.stats.terms(f.derived))
             for f in facts if f.derived]
    doc.blocks.append(Table(header=header, rows=rows,
                            align=["left", "left", "right", "left", "left"],
                            widths=_widths(header + rows), origin="appendix",
                            source=notes_text(locale, notes)))


def appendix_facts(stats: Statistics) -> list:
    """The facts in the appendix's order: by section, as the text has them."""
    return sorted(stats.facts, key=lambda f: _section_order(f.section))


_NUMERALS = "一二三四五六七八九十"


def _section_order(section: str) -> tuple[int, ...]:
    """一（三） → (1, 3), '2.3 Traffic' → (2, 3): sections in the order the text has them
    (stable otherwise)."""
    numbers = re.findall(r"[0-9]+|[" + _NUMERALS + "]", section)
    return tuple(int(n) if n.isdigit() else _NUMERALS.index(n) + 1 for n in numbers) or (99,)


def write_document_model(root: Path, out: Path, templates: Path | None = None) -> None:
    write_text(Path(out), build_document(root, templates).to_json())


def read_front_matter(path: Path) -> dict:
    raw = read_text_file(Path(path), MAX_TEXT_BYTES)
    if not raw.strip():
        raise SourceError(path, "is empty: the text needs front matter and at least a heading")
    return split_front_matter(Path(path), raw)[0]


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """Return (front matter, body, line number where the body starts), every field
    checked: the required ones present, each printed as typed."""
    meta, body, body_start_line = read_front_matter_block(path, text)
    for key in REQUIRED_META:
        if not meta.get(key):
            raise SourceError(path, f"front matter lacks '{key}'", line=1)
    for key in meta:
        if key not in REQUIRED_META + OPTIONAL_META:
            # A misspelt field (subtitel:) would vanish from the cover without a word.
            raise SourceError(path, f"front matter '{key}' is not a field (they are"
                                    f" {', '.join(REQUIRED_META + OPTIONAL_META)})",
                              line=line_of(meta, key))
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
    return meta, body, body_start_line


def parse_text(path: Path, stats: Statistics, chart_ids: set[str], locale: Locale,
               tables: dict[str, Table] | None = None, root: Path | None = None,
               log: list[Written] | None = None) -> Document:
    """Parse the publication's Markdown into the render model, numbers resolved; every
    text filled is added to ``log`` (provenance.py), as typed, with its line and block."""
    path = Path(path)
    raw = read_text_file(path, MAX_TEXT_BYTES)
    if not raw.strip():
        raise SourceError(path, "is empty: the text needs front matter and at least a heading")
    meta, _, _ = split_front_matter(path, raw)
    reader = _Reader(path, raw, stats, chart_ids, locale, tables or {},
                     Path(root) if root is not None else path.parent)
    if log is not None:
        reader.log = log
    return reader.read(meta)


class _Reader:
    """One pass over the syntax tree builds the blocks; numbering and cross-references are
    settled at the end, when every target is known."""

    def __init__(self, path: Path, raw: str, stats: Statistics, chart_ids: set[str],
                 locale: Locale, tables: dict[str, Table], root: Path):
        self.path, self.stats, self.chart_ids = path, stats, chart_ids
        self.locale, self.tables, self.root = locale, tables, root
        self.raw = raw
        self.lines = raw.splitlines()
        self.used: dict[str, int] = {}        # figure/table directive id -> line
        self.targets: dict[str, tuple] = {}   # cross-reference id -> (block, line)
        self.references: list[tuple[Span, str, str, int]] = []
        self.note_defs: dict[str, tuple[SyntaxTreeNode, int]] = {}
        self.note_calls: list[tuple[Span, str, int]] = []
        self.heading_counters = [0] * MAX_HEADING_LEVEL
        self.log: list[Written] = []  # every text filled, for provenance.py
        self.current_block = 0        # the top-level block being read
        self.note_call_block: dict[str, int] = {}

    def fail(self, message: str, line: int | None) -> None:
        raise SourceError(self.path, message, line=line)

    def line(self, node: SyntaxTreeNode) -> int:
        return (node.map[0] if node.map else 0) + 1

    def source_lines(self, node: SyntaxTreeNode) -> list[str]:
        return self.lines[node.map[0]:node.map[1]] if node.map else []

    # -- the whole text ----------------------------------------------------------------

    def read(self, meta: dict) -> Document:
        tree = SyntaxTreeNode(markdown_parser().parse(self.raw))
        children = [c for c in tree.children if c.type != "front_matter"]
        doc = Document(meta=meta, strings=dict(self.locale.strings))
        doc.blocks = self.blocks(children, context="text")
        if not any(isinstance(b, Heading) for b in doc.blocks):
            self.fail("has no heading: start each chapter with '# '", None)
        doc.contents = [b for b in doc.blocks if isinstance(b, Heading) and b.level <= 2]
        self.number(doc)
        doc.notes = self.notes()
        self.resolve_references()
        return doc

    def blocks(self, nodes, context: str, depth: int = 0) -> list:
        out: list = []
        for node in nodes:
            line = self.line(node)
            t = node.type
            if context == "text":
                self.current_block, logged = len(out), len(self.log)
                self.block(node, line, t, context, depth, out)
                # What the node printed is in the block it made; a table's caption, in
                # the table before it.
                for written in self.log[logged:]:
                    written.block = len(out) - 1
            else:
                self.block(node, line, t, context, depth, out)
        return out

    def block(self, node, line: int, t: str, context: str, depth: int, out: list) -> None:
        if t == "heading":
            if context == "box":
                self.fail("a heading cannot stand inside a box: make it a bold lead"
                          " sentence (**…**), or close the box above it with a line"
                          " ':::'", line)
            if context != "text":
                self.fail(f"a heading cannot stand inside a {context}: make it a bold"
                          " lead sentence (**…**)", line)
            out.append(self.heading(node, line))
        elif t == "paragraph":
            block = self.paragraph(node, line, context, out)
            if block is not None:
                out.append(block)
        elif t in ("bullet_list", "ordered_list"):
            if depth >= MAX_LIST_DEPTH:
                self.fail(f"a list may be nested {MAX_LIST_DEPTH} levels deep at most:"
                          " make this a separate list or a sentence", line)
            out.append(self.list(node, line, depth + 1))
        elif t == "blockquote":
            out.append(Quote(blocks=self.blocks(node.children, "quote", depth), line=line))
        elif t == "container_box":
            if context in ("box", "list", "quote", "note"):
                self.fail(f"a box cannot stand inside a {context}", line)
            out.append(self.box(node, line))
        elif t == "table":
            if context in ("list", "note", "quote"):
                self.fail(f"a table cannot stand inside a {context}: place it between"
                          " paragraphs", line)
            out.append(self.typed_table(node, line))
        elif t == "footnote_reference":
            label = node.meta["label"]
            if label in self.note_defs:
                self.fail(f"note [^{label}] is defined twice (first on line"
                          f" {self.note_defs[label][1]})", line)
            self.note_defs[label] = (node, line)
        else:
            token = node.nester_tokens.opening if not node.is_root and node.nester_tokens \
                else node.token
            self.fail(refusal(token, self.path.name), line)

    # -- headings, paragraphs, lists, boxes --------------------------------------------

    def heading(self, node, line: int) -> Heading:
        level = int(node.tag[1])
        if level > MAX_HEADING_LEVEL:
            self.fail(f"a heading of level {level} ({'#' * level}): the editions have"
                      f" {MAX_HEADING_LEVEL} levels (#, ##, ###)", line)
        self.heading_counters[level - 1] += 1
        self.heading_counters[level:] = [0] * (MAX_HEADING_LEVEL - level)
        spans = self.spans(node.children[0], line, self.source_lines(node))
        if any(s.ref or s.note or s.href for s in spans):
            self.fail("a heading holds plain text only: put the cross-reference, note or"
                      " link in a paragraph", line)
        text, attrs = self.trailing_attrs(plain(spans), line, allowed=("id",))
        if attrs and self.log:
            # The {#id} is not printed: nor are its digits.
            self.log[-1].raw = self.trailing_attrs(self.log[-1].raw, line, ("id",))[0]
        anchor = "sec-" + "-".join(str(c) for c in self.heading_counters[:level])
        heading = Heading(level=level, text=text, anchor=anchor, line=line)
        if "id" in attrs:
            self.target(attrs["id"], heading, line)
        return heading

    def paragraph(self, node, line: int, context: str, previous: list):
        inline = node.children[0]
        content = inline.content.strip()
        whole = PLACEHOLDER_RE.fullmatch(content)
        if whole and whole["body"] == "key-figures":
            if context != "text":
                self.fail(f"{{{{ key-figures }}}} cannot stand inside a {context}", line)
            if "key-figures" in self.used:
                # Each panel is a page of big numbers: one is all a paper needs.
                self.fail("{{ key-figures }} is placed twice (first on line"
                          f" {self.used['key-figures']}): keep one", line)
            self.used["key-figures"] = line
            return KeyFigurePanel(line=line)
        if whole and (m := DIRECTIVE_RE.match(whole["body"])):
            if context in ("list", "note", "quote"):
                self.fail(f"a {m['name']} cannot stand inside a {context}: place it between"
                          " paragraphs", line)
            return self.directive(m["name"], m["id"], line)
        if whole and re.match(r"(figure|table)\b", whole["body"]):
            self.fail(f"'{{{{ {whole['body']} }}}}' is not a directive (write {{{{ figure"
                      " chart-id }} or {{ table table-id }})", line)
        if content.startswith(":::"):
            self.fail("a ':::' block must be a box: '::: box Title' … ':::'", line)
        if TABLE_CAPTION_RE.match(content):
            if not (previous and isinstance(previous[-1], Table)
                    and previous[-1].origin == "text" and not previous[-1].caption):
                self.fail("a table caption ('Table: …') belongs on the line after its table,"
                          " separated by one blank line", line)
            self.table_caption(previous[-1], inline, line)
            return None
        children = inline.token.children or []
        images = [c for c in children if c.type == "image"]
        if images:
            if len(children) != 1:
                self.fail("an image must stand alone in its own paragraph (a blank line"
                          " before and after)", line)
            if context in ("list", "note", "quote"):
                self.fail(f"an image cannot stand inside a {context}", line)
            return self.image(images[0], line)
        return Paragraph(spans=self.spans(inline, line, self.source_lines(node)), line=line)

    def list(self, node, line: int, depth: int) -> ListBlock:
        items = []
        for item in node.children:
            items.append(self.blocks(item.children, "list", depth))
        start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 1
        return ListBlock(ordered=node.type == "ordered_list", items=items, start=start,
                         depth=depth, line=line)

    def box(self, node, line: int) -> Box:
        info = node.info.strip()
        title = info.removeprefix("box").strip()
        title, attrs = self.trailing_attrs(title, line, allowed=("id",))
        if not title:
            self.fail("a box needs a title: '::: box Title'", line)
        if fault := plain_text_fault(title):
            self.fail(f"a box title {fault}", line)
        self.log.append(Written(title, str(self.path), line))
        box = Box(number=0, label="", label_word=self.locale.label_word("box"), title=title,
                  anchor="", blocks=self.blocks(node.children, "box"), line=line)
        if "id" in attrs:
            self.target(attrs["id"], box, line)
        return box

    # -- figures, tables, images -------------------------------------------------------

    def directive(self, name: str, ident: str, line: int):
        known = self.chart_ids if name == "figure" else self.tables
        if ident in self.used and ident in known:
            self.fail(f"{name} '{ident}' is placed twice (first on line {self.used[ident]})",
                      line)
        if name == "figure":
            if ident not in self.chart_ids:
                known = ", ".join(sorted(self.chart_ids)) or "none"
                self.fail(f"figure '{ident}' has no chart spec charts/{ident}.yaml (charts:"
                          f" {known})", line)
            block = Figure(chart=ident, number=0, line=line,
                           label_word=self.locale.label_word("figure"))
        else:
            if ident not in self.tables:
                known = ", ".join(sorted(self.tables)) or "none"
                self.fail(f"table '{ident}' has no table spec tables/{ident}.yaml (tables:"
                          f" {known})", line)
            block = replace(self.tables[ident], line=line,
                            label_word=self.locale.label_word("table"))
        self.used[ident] = line
        self.target(ident, block, line)
        return block

    def typed_table(self, node, line: int) -> Table:
        header, rows, align = [], [], []
        for part in node.children:  # thead, tbody
            for tr in part.children:
                cells = []
                for cell in tr.children:
                    cell_line = line + (len(header) + len(rows) + (1 if rows or
                                                                   part.type == "tbody" else 0))
                    cells.append(self.spans(cell.children[0], cell_line, []) if cell.children
                                 else [])
                    if part.type == "thead":
                        style = cell.attrs.get("style", "")
                        align.append(style.removeprefix("text-align:") or "")
                (header if part.type == "thead" else rows).append(cells)
        for column, chosen in enumerate(align):
            if not chosen:
                numeric = rows and all(_is_number(plain(r[column])) for r in rows
                                       if column < len(r) and plain(r[column]))
                align[column] = "right" if numeric else "left"
        return Table(header=header, rows=rows, align=align, widths=_widths(header + rows),
                     label_word=self.locale.label_word("table"), line=line)

    def table_caption(self, table: Table, inline, line: int) -> None:
        text = TABLE_CAPTION_RE.sub("", inline.content.strip(), count=1)
        text, attrs = self.trailing_attrs(text, line, allowed=("id", "source"))
        caption = self.substitute(text, line)
        self.log[-1].above = True  # typed after the table, printed above it
        if not caption:
            self.fail("a table caption needs its text: 'Table: Caption'", line)
        if fault := plain_text_fault(caption):
            self.fail(f"a table caption {fault}", line)
        table.caption = caption
        table.source = self.substitute(attrs.get("source", ""), line)
        if "id" in attrs:
            self.target(attrs["id"], table, line)

    def image(self, node, line: int) -> Image:
        from .inputs import resolve_image

        src = node.attrs.get("src", "")
        alt = node.content.strip()
        caption = str(node.attrs.get("title", "")).strip()
        unknown = set(node.attrs) - {"src", "title", "alt", "id", "source", "width"}
        if unknown:
            self.fail(f"image '{src}': unknown attribute(s) {', '.join(sorted(unknown))}"
                      " (known: id, source, width)", line)
        if not alt:
            self.fail(f"image '{src}' has no alt text: write what it shows for readers who"
                      " cannot see it, ![alt text](…)", line)
        if not caption:
            self.fail(f"image '{src}' has no caption: write it in quotes after the path,"
                      f" ![…]({src} \"Caption\")", line)
        path = resolve_image(src, root=self.root, named_in=self.path, line=line)
        suffix = path.suffix.lower()
        width = self.image_width(src, node.attrs.get("width"), line)
        pixel_width, pixel_height = image_size(path, suffix, self.path, line)
        image = Image(src=Path(path).relative_to(self.root).as_posix(), number=0, label="",
                      label_word=self.locale.label_word("figure"), anchor="",
                      caption=self.substitute(caption, line), alt=alt,
                      source=self.substitute(str(node.attrs.get("source", "")), line),
                      width=width, pixel_width=pixel_width, pixel_height=pixel_height,
                      media_type=IMAGE_TYPES[suffix], line=line)
        for field in (image.caption, image.alt, image.source):
            if fault := plain_text_fault(field):
                self.fail(f"image '{src}': {fault}", line)
        if "id" in node.attrs:
            self.target(str(node.attrs["id"]), image, line)
        return image

    def image_width(self, src: str, width, line: int) -> float:
        if width is None:
            return 1.0
        m = re.fullmatch(r"([0-9]{1,3})%", str(width).strip())
        if not m or not 10 <= int(m[1]) <= 100:
            self.fail(f"image '{src}': width=\"{width}\" must be a share of the text width"
                      " from 10% to 100%, e.g. width=\"60%\"", line)
        return int(m[1]) / 100

    # -- attributes, targets, numbering ------------------------------------------------

    def trailing_attrs(self, text: str, line: int, allowed: tuple[str, ...]) -> tuple[str, dict]:
        """'Title {#id key="v"}' → ('Title', {'id': 'id', 'key': 'v'})."""
        stripped = text.rstrip()
        if not stripped.endswith("}"):
            return text.strip(), {}
        start = stripped.rfind("{")
        if start < 0 or (start > 0 and stripped[start - 1] == "{"):
            return text.strip(), {}  # no braces, or a {{ placeholder }}: no attributes
        try:
            end, attrs = parse_attrs(stripped[start:])
        except ParseError as exc:
            self.fail(f"the attributes {stripped[start:]} cannot be read ({exc}): write"
                      " {#id} or {#id source=\"…\"}", line)
        if start + end + 1 != len(stripped):  # parse gives the index of the closing brace
            return text.strip(), {}
        unknown = set(attrs) - set(allowed)
        if "class" in attrs or unknown:
            self.fail(f"unknown attribute(s) {', '.join(sorted(unknown or {'class'}))} in"
                      f" {stripped[start:]} (allowed here: {', '.join(allowed)})", line)
        return stripped[:start].strip(), attrs

    def target(self, ident: str, block, line: int) -> None:
        if not ID_RE.match(ident):
            self.fail(f"'{ident}' is not an id: use letters, digits, '-' and '_', starting"
                      " with a letter", line)
        if ident in self.targets:
            self.fail(f"the id '{ident}' is given twice (first on line"
                      f" {self.targets[ident][1]})", line)
        self.targets[ident] = (block, line)

    def number(self, doc: Document) -> None:
        """Figures and images share one sequence; tables and boxes have their own. A typed
        table without a caption is not numbered."""
        counts = {"figure": 0, "table": 0, "box": 0}
        for block in walk(doc.blocks):
            if isinstance(block, (Figure, Image)):
                kind, prefix = "figure", "fig"
            elif isinstance(block, Table) and (block.caption or block.origin == "data"):
                kind, prefix = "table", "tbl"
            elif isinstance(block, Box):
                kind, prefix = "box", "box"
            else:
                continue
            counts[kind] += 1
            block.number = counts[kind]
            block.label = self.locale.text(kind, number=block.number)
            block.anchor = f"{prefix}-{block.number}"

    def resolve_references(self) -> None:
        for span, form, ident, line in self.references:
            if ident not in self.targets:
                known = ", ".join(sorted(self.targets)) or "none"
                self.fail(f"{{{{ {form} {ident} }}}} refers to nothing with that id (ids:"
                          f" {known})", line)
            block = self.targets[ident][0]
            span.aside = form == "see"
            if isinstance(block, Heading):
                span.text = (self.locale.text("see_section", title=block.text)
                             if form == "see" else block.text)
            else:
                if not block.number:
                    self.fail(f"{{{{ {form} {ident} }}}} refers to a table without a"
                              " caption, which has no number: give it a 'Table: …' line",
                              line)
                kind = {Figure: "figure", Image: "figure", Table: "table", Box: "box"}[
                    type(block)]
                span.text = (self.locale.text(f"see_{kind}", number=block.number)
                             if form == "see" else block.label)
            span.ref = block.anchor

    def notes(self) -> list[Note]:
        notes, called = [], {}
        for span, label, line in self.note_calls:
            if label in called:
                self.fail(f"note [^{label}] is called twice (first on line {called[label]}):"
                          " a note is printed once, where the text calls it", line)
            called[label] = line
            if label not in self.note_defs:
                self.fail(f"note [^{label}] has no text: add a line '[^{label}]: …'", line)
            number = len(notes) + 1
            span.text, span.note = str(number), number
            node, def_line = self.note_defs[label]
            paragraphs, logged = [], len(self.log)
            called_block = self.note_call_block.get(label)
            for child in node.children:
                if child.type != "paragraph":
                    self.fail(f"note [^{label}] may hold paragraphs only", self.line(child))
                spans = self.spans(child.children[0], self.line(child),
                                   self.source_lines(child), in_note=True)
                paragraphs.append(spans)
            for written in self.log[logged:]:
                written.place, written.section_block = "note", called_block
            notes.append(Note(number=number, paragraphs=paragraphs, anchor=f"fn-{number}",
                              call_anchor=f"fnref-{number}", line=def_line))
        for label, (_, line) in self.note_defs.items():
            if label not in called:
                self.fail(f"note [^{label}] is never called: write [^{label}] where it"
                          " belongs, or delete the note", line)
        # References inside notes were added while reading them.
        return notes

    # -- inline text -------------------------------------------------------------------

    def substitute(self, text: str, line: int) -> str:
        try:
            filled = fill_placeholders(text, self.stats, self.locale)
        except PlaceholderError as exc:
            self.fail(str(exc), line)
        self.log.append(Written(text, str(self.path), line))
        return filled

    def spans(self, inline, first_line: int, src_lines: list[str],
              in_note: bool = False) -> list[Span]:
        spans: list[Span] = []
        strong = em = 0
        href = ""
        breaks = 0  # line breaks so far: a construct is on that line of the block or later

        def line_of_text(needle: str, start: int = 0) -> int:
            for n in range(start, len(src_lines)):
                if needle in src_lines[n]:
                    return first_line + n
            return first_line + start

        def add(span: Span) -> None:
            last = spans[-1] if spans else None
            if (last is not None and not (last.ref or last.note or span.ref or span.note)
                    and (last.strong, last.em, last.href) == (span.strong, span.em, span.href)):
                last.text += span.text
            else:
                spans.append(span)

        for n, source_line in enumerate(src_lines):
            if advice := reference_definition(source_line):
                self.fail(advice, first_line + n)
        # The inline token's own children: flat tokens (strong_open, text, …), where the
        # syntax tree would nest them.
        for child in inline.token.children or []:
            t = child.type
            if t == "strong_open":
                strong += 1
            elif t == "strong_close":
                strong -= 1
            elif t == "em_open":
                em += 1
            elif t == "em_close":
                em -= 1
            elif t == "link_open":
                href = child.attrs.get("href", "")
                if not href.lower().startswith(LINK_SCHEMES):
                    line = line_of_text(href, breaks)
                    self.fail(f"a link to '{href}': links may go to https:, http: or mailto:"
                              " addresses only; to point at a figure, table, box or section"
                              " write {{ see id }}", line)
            elif t == "link_close":
                href = ""
            elif t == "footnote_ref":
                label = str(child.meta.get("label"))
                if in_note:
                    self.fail("a note cannot call another note", line_of_text("[^", breaks))
                span = Span(text="", note=-1)
                self.note_call_block.setdefault(label, self.current_block)
                self.note_calls.append((span, label, line_of_text(f"[^{label}]", breaks)))
                spans.append(span)
            elif t == "text":
                if "](" in child.content:
                    self.refuse_written_link(src_lines, first_line, breaks)
                if advice := written_autolink(child.content):
                    self.fail(advice, line_of_text(child.content.split(">")[0], breaks))
                pieces = CROSS_REF_RE.split(child.content)
                # split gives text, form, id, text, form, id, …
                for k in range(0, len(pieces), 3):
                    piece = pieces[k]
                    if piece:
                        text = self.substitute(piece, line_of_text(piece.strip()[:20], breaks)
                                               if piece.strip() else first_line)
                        # An entity such as &#12; only becomes a control character here.
                        check_xml_safe(self.path, text, line=line_of_text(piece, breaks))
                        add(Span(text=text, strong=strong > 0, em=em > 0, href=href))
                    if k + 2 < len(pieces):
                        form, ident = pieces[k + 1], pieces[k + 2]
                        if href:
                            self.fail("a cross-reference cannot stand inside a link",
                                      line_of_text(ident, breaks))
                        span = Span(text="", strong=strong > 0, em=em > 0, ref="?")
                        self.references.append((span, form, ident,
                                                line_of_text(f"{form} {ident}", breaks)))
                        spans.append(span)
            elif t in ("softbreak", "hardbreak"):
                # The editions break lines themselves: a forced break (two trailing spaces,
                # a backslash) is a line break like any other, and inside a Chinese
                # paragraph a line break is not a space.
                breaks += 1
                if spans and not is_cjk_boundary(spans[-1].text):
                    add(Span(text=" ", strong=strong > 0, em=em > 0, href=href))
            elif t == "image":
                self.fail("an image must stand alone in its own paragraph (a blank line"
                          " before and after)", line_of_text("![", breaks))
            else:
                # Raw HTML may hide a line break: look for the construct from there on.
                self.fail(refusal(child, self.path.name),
                          line_of_text(found(child).rstrip("…"), breaks))
        return spans

    def refuse_written_link(self, src_lines: list[str], first_line: int, start: int) -> None:
        """A text holding '](' that the parser did not make a link: refused where the block's
        source writes one out (with its brackets unescaped), from its ``start``-th line."""
        for n in range(start, len(src_lines)):
            if advice := written_link(src_lines[n]):
                self.fail(advice, first_line + n)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+−]?[0-9][0-9,.\s ]*%?", text.strip()))


def _widths(rows: list[list[list[Span]]]) -> list[float]:
    """Column shares of the text width from the longest cell of each column (a CJK
    character counting twice), so no column is squeezed below a short word."""
    columns = max((len(r) for r in rows), default=0)
    longest = [1.0] * columns
    for row in rows:
        for n, cell in enumerate(row):
            text = plain(cell)
            longest[n] = max(longest[n], sum(2 if ord(c) > 0x2E80 else 1 for c in text))
    # Long cells wrap: a column needs about the square root of its text, but at least 6.
    needs = [max(6.0, min(length, 60.0)) ** 0.75 for length in longest]
    total = sum(needs) or 1.0
    return [round(n / total, 4) for n in needs]
