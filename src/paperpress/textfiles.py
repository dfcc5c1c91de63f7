"""Reading editors' text files: UTF-8 with clear errors, and YAML mappings safely."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import SourceError


def read_text_file(path: Path, max_bytes: int | None = None) -> str:
    """Read a UTF-8 file (a BOM is accepted); other encodings fail with the line and a fix.
    A file over ``max_bytes`` is refused before it is read."""
    path = Path(path)
    if max_bytes is not None:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(path, f"is {_size(size)}, more than the {_size(max_bytes)} this"
                                    " kind of file may have")
    data = path.read_bytes()
    try:
        # Windows line ends read as Unix ones, so every parser sees one kind.
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
        return check_xml_safe(path, text)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = (" It looks like GBK/GB18030 (common for files saved by Excel on Chinese"
                    " Windows): re-save it as 'CSV UTF-8', or convert it with"
                    f" `iconv -f GB18030 -t UTF-8 {path.name}`.")
        except UnicodeDecodeError:
            pass
        raise SourceError(path, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte"
                                f" {exc.start}).{hint}", line=line) from None


def _size(n: int) -> str:
    if n >= 1048576:
        return f"{n / 1048576:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


# C0 controls other than tab and line breaks are not allowed in XML 1.0: one in a source
# would make python-docx refuse the Word edition (or Word call the file corrupt). Nor is a
# lone surrogate (a YAML escape "\ud800" makes one), which no UTF-8 file can even hold.
XML_INVALID_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _character(found: str) -> str:
    kind = "lone surrogate" if "\ud800" <= found <= "\udfff" else "control character"
    return f"the {kind} U+{ord(found):04X}"


def _shown(text: str) -> str:
    """``text`` for a message: such characters written as escapes, which any terminal shows."""
    return XML_INVALID_RE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def check_xml_safe(path: Path, text: str, line: int | None = None) -> str:
    """Refuse text that no Word file can carry, naming the line (``line``: where ``text``
    stands in the file, for text that is one value rather than the whole file)."""
    if m := XML_INVALID_RE.search(text):
        line = line if line is not None else text.count("\n", 0, m.start()) + 1
        raise SourceError(path, f"holds {_character(m[0])}, which no Word file can carry:"
                                " delete it", line=line)
    return text


# Bounds on what an editor's YAML may hold: publication.yaml, chart specs and front matter
# are a few kilobytes; anything far larger is a mistake (or an attack) that should stop
# the build at once rather than after minutes of work.
MAX_YAML_BYTES = 256 * 1024
MAX_YAML_NODES = 20_000
# The text (text.md). About 20 times the bundled white paper (a book of some 200 pages),
# with the appendix at its bound. Measured, the white paper PDF job at its peak: 1 MB of
# text alone 497 MB; 768 KB of text with a 1,000-row appendix 554 MiB, past the build's
# 500 MiB budget. tools/bench.py builds a publication at these bounds ("largest accepted
# input"). The workflow reads the front matter with the same bound as the model step.
MAX_TEXT_BYTES = 512 * 1024


class LinedDict(dict):
    """A YAML mapping that remembers the line each key was typed on (``lines[key]``), so
    that a check made long after parsing can still name the line."""

    lines: dict


class LinedList(list):
    """A YAML sequence that remembers the line of each item (``lines[index]``)."""

    lines: list


def line_of(container, key) -> int | None:
    """The line where ``key`` (a mapping key or a list index) of a parsed YAML value was
    typed, or None for values that did not come from a file."""
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict):
        return lines.get(key)
    if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return None


class _BoundedLoader(yaml.BaseLoader):
    """YAML's BaseLoader (every scalar stays text) that composes nodes only: no aliases,
    so no expansion bomb ('billion laughs'), and at most MAX_YAML_NODES nodes."""

    def __init__(self, stream):
        super().__init__(stream)
        self.node_count = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed: write the value out",
                event.start_mark)
        self.node_count += 1
        if self.node_count > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"more than {MAX_YAML_NODES} values: this is not a settings file",
                self.peek_event().start_mark)
        return super().compose_node(parent, index)


def parse_yaml_mapping(path: Path, text: str, first_line: int = 1, what: str = "") -> dict:
    """Parse YAML that must be a mapping; errors name the file and line.

    ``first_line`` is the line of the file where ``text`` starts (front matter).
    Every scalar stays the text the editor typed (YAML's BaseLoader): no 'NO' read as
    false, no '010' read as 8, no date turned into a datetime, and no tags that build
    Python objects. The few settings that are flags go through ``yaml_flag``. Mappings and
    lists come back as LinedDict and LinedList, which know the line of each entry.
    """
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise SourceError(path, f"is larger than {_size(MAX_YAML_BYTES)}: settings and"
                                " chart specs are short files", line=first_line)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(path, f"is not valid YAML: {getattr(exc, 'problem', exc)}",
                          line=(mark.line + first_line) if mark else first_line) from None
    finally:
        loader.dispose()
    if node is None:
        return LinedDict()
    data = _construct(path, node, first_line)
    if not isinstance(data, dict):
        raise SourceError(path, f"must be a YAML mapping{what}", line=first_line)
    return data


def _construct(path: Path, node, first_line: int):
    """Plain Python values from composed nodes: text, LinedList and LinedDict."""
    line = node.start_mark.line + first_line
    if isinstance(node, yaml.ScalarNode):
        if m := XML_INVALID_RE.search(node.value):
            # YAML escapes ("\x01") become control characters only once parsed.
            raise SourceError(path, f"a value holds {_character(m[0])}, which no Word file"
                                    f" can carry: '{_shown(node.value[:30])}'", line=line)
        return node.value
    if isinstance(node, yaml.SequenceNode):
        items = LinedList(_construct(path, item, first_line) for item in node.value)
        items.lines = [item.start_mark.line + first_line for item in node.value]
        return items
    mapping = LinedDict()
    mapping.lines = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + first_line
        if not isinstance(key_node, yaml.ScalarNode):
            raise SourceError(path, "a setting's name must be plain text", line=key_line)
        key = _construct(path, key_node, first_line)
        if key in mapping:
            raise SourceError(path, f"'{key}' is given twice (first on line"
                                    f" {mapping.lines[key]})", line=key_line)
        mapping[key] = _construct(path, value_node, first_line)
        mapping.lines[key] = key_line
    return mapping


def yaml_flag(value, path: Path, name: str) -> bool:
    """A yes/no setting, written true or false."""
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise SourceError(path, f"'{name}' must be true or false, not '{value}'")


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """A Markdown text's front matter block (``---`` lines around YAML) parsed, the body
    after it, and the line where the body starts."""
    if not text.startswith("---\n"):
        raise SourceError(path, "must start with a front matter block (--- title: … ---)",
                          line=1)
    end = text.find("\n---\n", 4)
    if end < 0:
        raise SourceError(path, "front matter is not closed by a line '---'", line=1)
    meta = parse_yaml_mapping(path, text[4:end], first_line=2, what=" of front matter fields")
    return meta, text[end + 5:], text[: end + 5].count("\n") + 1


def refuse_unknown_keys(path: Path, mapping: dict, known: tuple[str, ...], what: str,
                        listing: str = "they are") -> None:
    """A key of ``mapping`` that is not one of ``known`` stops the build at its line: a
    misspelt setting (alt_text:) would otherwise be left out without a word."""
    for key in mapping:
        if key not in known:
            raise SourceError(path, f"'{key}' is not {what} ({listing} {', '.join(known)})",
                              line=line_of(mapping, key))


def read_yaml_mapping(path: Path, what: str = "") -> dict:
    return parse_yaml_mapping(Path(path), read_text_file(Path(path), MAX_YAML_BYTES),
                              what=what)


# Markup typed into a plain-text field (a front matter value, a chart caption, a data label,
# a setting): these fields are printed as typed, so markup there would reach the editions
# as its characters, an HTML comment's internal note among them.
_PLAIN_TEXT_MARKUP = (
    (re.compile(r"<!--"), "an HTML comment (<!-- … -->)"),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), "HTML ({found})"),
    (re.compile(r"\*\*|__"), "Markdown bold ({found}…{found})"),
    (re.compile(r"(?<![*\w])\*(?=\S)[^*\n]*?(?<=\S)\*(?![*\w])"), "Markdown italic (*…*)"),
    (re.compile(r"(?<![_\w])_(?=\S)[^_\n]*?(?<=\S)_(?![_\w])"), "Markdown italic (_…_)"),
    (re.compile(r"\[\^[^\]]*\]"), "a footnote call ([^…])"),
    (re.compile(r"\]\("), "a Markdown link ([…](…))"),
    (re.compile(r"~~"), "strikethrough (~~…~~)"),
    (re.compile(r"`"), "a backtick (`)"),
)


def plain_text_fault(text: str) -> str | None:
    """Why ``text``, a plain-text field, would print markup as its characters; None if it
    would not."""
    for pattern, what in _PLAIN_TEXT_MARKUP:
        if m := pattern.search(text):
            return (f"holds {what.format(found=m[0])}, which this field prints as typed:"
                    " write plain text")
    return None
