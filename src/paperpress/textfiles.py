"""Reading editors' text files: UTF-8 with clear errors, and YAML mappings safely."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import SourceError


def read_text_file(path: Path) -> str:
    """Read a UTF-8 file (a BOM is accepted); other encodings fail with the line and a fix."""
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


# C0 controls other than tab and line breaks are not allowed in XML 1.0: one in a source
# would make python-docx refuse the Word edition (or Word call the file corrupt).
XML_INVALID_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def check_xml_safe(path: Path, text: str, line: int | None = None) -> str:
    """Refuse text that no Word file can carry, naming the line (``line``: where ``text``
    stands in the file, for text that is one value rather than the whole file)."""
    if m := XML_INVALID_RE.search(text):
        line = line if line is not None else text.count("\n", 0, m.start()) + 1
        raise SourceError(path, f"holds the control character U+{ord(m[0]):04X}, which no"
                                " Word file can carry: delete it", line=line)
    return text


def parse_yaml_mapping(path: Path, text: str, first_line: int = 1, what: str = "") -> dict:
    """Parse YAML that must be a mapping; errors name the file and line.

    ``first_line`` is the line of the file where ``text`` starts (front matter).
    Every scalar stays the text the editor typed (YAML's BaseLoader): no 'NO' read as
    false, no '010' read as 8, no date turned into a datetime, and no tags that build
    Python objects. The few settings that are flags go through ``yaml_flag``.
    """
    try:
        data = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(path, f"is not valid YAML: {getattr(exc, 'problem', exc)}",
                          line=(mark.line + first_line) if mark else first_line) from None
    if data is None:
        data = {}
    _check_scalars(path, data, first_line)
    if not isinstance(data, dict):
        raise SourceError(path, f"must be a YAML mapping{what}", line=first_line)
    return data


def _check_scalars(path: Path, value, line: int) -> None:
    """YAML escapes ("\x01") become control characters only once parsed."""
    if isinstance(value, dict):
        for item in value.values():
            _check_scalars(path, item, line)
    elif isinstance(value, list):
        for item in value:
            _check_scalars(path, item, line)
    elif isinstance(value, str) and XML_INVALID_RE.search(value):
        raise SourceError(path, f"a value holds the control character"
                                f" U+{ord(XML_INVALID_RE.search(value)[0]):04X}, which no Word"
                                f" file can carry: '{value[:30]}'", line=None)


def yaml_flag(value, path: Path, name: str) -> bool:
    """A yes/no setting, written true or false."""
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise SourceError(path, f"'{name}' must be true or false, not '{value}'")


def read_yaml_mapping(path: Path, what: str = "") -> dict:
    return parse_yaml_mapping(Path(path), read_text_file(Path(path)), what=what)
