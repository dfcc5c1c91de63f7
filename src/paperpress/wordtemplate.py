"""Word templates are checked as zip packages before python-docx or docxtpl open them.

A template is an editor's file, and the published .docx inherits its parts and
relationships: a picture linked from a web address, a template attached from a server,
macros, embedded objects or ActiveX controls in the template would travel to every reader,
and Word or LibreOffice would fetch or run them on opening. Each is refused here with the
template named and the Word command that removes it; a file that is not a .docx at all is
refused before python-docx meets it and raises a traceback.

The same check reads the written edition before it is published (defence in depth: the
cover fields are Jinja and could spell out a field instruction the template did not hold).
"""

from __future__ import annotations

import copy
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from lxml import etree

from .errors import SourceError

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/" \
                  "officeDocument"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, and any password-protected .docx

SAVE_AS_DOCX = "in Word, File > Save As > Word Document (.docx)"
REMOVE_OBJECT = ("delete the object (an embedded spreadsheet, chart, file or control) and"
                 " paste a picture of it instead")

# Relationships that bring in code, other files or other documents: refused whether their
# target is inside the package or not. Keys are the last segment of the relationship type.
REFUSED_RELATIONSHIPS = {
    "vbaproject": ("holds macros", SAVE_AS_DOCX + ", which leaves the macros out"),
    "wordvbadata": ("holds macros", SAVE_AS_DOCX + ", which leaves the macros out"),
    "keymapcustomizations": ("holds macro key assignments",
                             SAVE_AS_DOCX + ", which leaves the macros out"),
    "attachedtemplate": ("is attached to a document template",
                         "detach it: Developer > Document Template, empty the 'Document"
                         " template' box, OK, then save"),
    "oleobject": ("holds an embedded or linked object", REMOVE_OBJECT),
    "package": ("holds an embedded document", REMOVE_OBJECT),
    "control": ("holds an ActiveX control",
                "Developer > Design Mode, select each control and delete it"),
    "activexcontrolbinary": ("holds an ActiveX control",
                             "Developer > Design Mode, select each control and delete it"),
    "subdocument": ("includes a subdocument",
                    "View > Outline > Show Document, select the subdocument and Unlink it"),
    "frame": ("is a frames page", "delete the frames and " + SAVE_AS_DOCX),
    "afchunk": ("imports a part in another format (altChunk)",
                "copy its text into the template as ordinary text"),
}

# A picture, template, object, frame or subdocument named by its address is fetched when
# Word or LibreOffice opens the file, so every external relationship is refused, with one
# exception: a hyperlink is followed only when the reader clicks it, nothing is fetched on
# opening, and a template may well link the issuer's web site from its footer. Only web and
# e-mail addresses, though: a file: or \\server link makes Windows connect to that machine
# (with the reader's credentials) on a click, and other schemes start programs.
HYPERLINK = "hyperlink"
HYPERLINK_SCHEMES = {"http", "https", "mailto"}

# Fields that fetch their content from a file or address when Word updates them, which
# the pipeline asks it to do on opening (for the contents and figure numbers).
FETCHING_FIELDS = re.compile(r"^\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT)\b",
                             re.IGNORECASE)

# Parts that are code or foreign objects, caught by name and by content type as well as by
# relationship: Word may still find a part its relationship no longer names.
REFUSED_PARTS = (
    (re.compile(r"(^|/)vba(project\.bin|data\.xml)$", re.IGNORECASE), "vbaproject"),
    (re.compile(r"^word/embeddings/", re.IGNORECASE), "oleobject"),
    (re.compile(r"^word/activex/", re.IGNORECASE), "control"),
)
REFUSED_CONTENT_TYPES = (("vbaproject", "vbaproject"), ("macroenabled", "vbaproject"),
                         ("oleobject", "oleobject"), ("activex", "control"))

# What a package may unpack to, checked in its zip directory before any part is read. The
# bundled templates unpack to well under 1 MB, pictures included; a 650 KB template whose
# one part unpacked to 600 MB of spaces took 1.26 GB before it was refused. XML parts are
# parsed, and all at once: a parsed tree takes up to 35 times its text (10 MB of empty
# elements, 350 MB), so they have a bound of their own. The white paper's Word edition
# holds 1.2 MB of XML, 83 KB of it the text of its 16 pages.
MAX_PART_BYTES = 50 * 1024 * 1024
MAX_PACKAGE_BYTES = 100 * 1024 * 1024
MAX_XML_BYTES = 10 * 1024 * 1024
SHRINK = ("delete or shrink what makes it large (Picture Format > Compress Pictures), then"
          " save it again")
# Parts are read this much at a time: zipfile inflates about this much per read.
_CHUNK = 1 << 20
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
               ValueError)  # RuntimeError: an encrypted member

_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Hazard:
    found: str  # what the file holds, e.g. "links a picture from http://…"
    fix: str    # how to remove it in Word


def check_word_template(template: Path) -> None:
    """Refuse a template that is not a plain .docx, or that carries anything fetched or run
    on opening: SourceError naming the template, what was found and how to remove it."""
    template = Path(template)
    hazard = next(_hazards(_read_package(template, template, whole=True)), None)
    if hazard is not None:
        raise SourceError(template, f"{hazard.found}: {hazard.fix}")


def check_written_word_file(written: Path, template: Path) -> None:
    """Refuse an edition written from ``template`` that carries what check_word_template
    refuses in a template; the message names the template, which the editor can change."""
    hazard = next(_hazards(_read_package(Path(written), Path(template), whole=False)), None)
    if hazard is not None:
        raise SourceError(template, f"the Word edition written from this template"
                                    f" {hazard.found}; it was not written: {hazard.fix}")


@dataclass
class _Package:
    names: set[str]
    content_types: dict[str, str]  # part name -> content type
    xml: dict[str, etree._Element]  # the XML parts read, parsed
    main: str                       # part name of the main document


def _read_package(path: Path, shown: Path, whole: bool) -> _Package:
    """The package's parts, or SourceError(shown) if python-docx could not read it.

    ``whole``: read every member and parse every XML part, so that a damaged one is named
    here rather than in python-docx's traceback. The check of a file python-docx has just
    written leaves out the parts that cannot hold a field or a link: 40 ms of every build."""
    def invalid(reason: str) -> SourceError:
        return SourceError(shown, f"is not a valid Word file (.docx): {reason}")

    names, content_types, xml = _read_parts(path, shown, invalid, whole)
    if PACKAGE_RELS not in names:
        raise invalid(f"it has no {PACKAGE_RELS}")
    main = _main_part(xml[PACKAGE_RELS])
    if main is None or main not in names:
        raise invalid(f"it has no main document part ({main or 'word/document.xml'})")
    main_type = content_types.get(main, "")
    if main_type == DOTX_MAIN:
        raise SourceError(shown, "is a Word template file (.dotx), not a Word document:"
                                 f" {SAVE_AS_DOCX}")
    if main_type != DOCX_MAIN and "macroenabled" not in main_type.lower():
        raise invalid(f"its main part {main} is of type {main_type or 'unknown'}")
    # python-docx reads every part a relationship names, and needs its content type.
    for rels_name in (n for n in xml if _is_rels(n)):
        for rel in xml[rels_name].iter(f"{PR}Relationship"):
            if _is_external(rel):
                continue
            target = _resolve(_source_of(rels_name), rel.get("Target", ""))
            if target not in names:
                raise invalid(f"{rels_name} names the part {target}, which is missing")
            if not content_types.get(target):
                raise invalid(f"the part {target} has no content type")
    return _Package(names, content_types, xml, main)


# Parts that hold no field and no link of their own (a picture bullet's link is in the
# part's .rels, which is always read).
INERT_CONTENT_TYPES = ("styles+xml", "styleswitheffects+xml", "theme+xml", "fonttable+xml",
                       "numbering+xml")


def _read_parts(path: Path, shown: Path, invalid, whole: bool):
    """The names of all parts, their content types, and the XML parts parsed, by name."""
    if not path.exists():
        raise SourceError(shown, "Word template not found")
    if path.is_dir():
        raise SourceError(shown, "is a folder, not a Word file (.docx)")
    with open(path, "rb") as f:
        if f.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
            raise SourceError(shown, "is an old-format Word file (.doc) or has a password: "
                                     + SAVE_AS_DOCX + ", with no password")
    try:
        package = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise invalid(f"not a zip package, or cut short ({exc})") from None

    def parse(name: str):
        try:
            return etree.fromstring(_part_bytes(package, name), _XML)
        except etree.XMLSyntaxError as exc:
            raise invalid(f"{name} is not well-formed XML ({exc.msg})") from None
        except _ZIP_ERRORS as exc:
            raise invalid(f"the part {name} is damaged ({_shown(str(exc))})") from None

    with package:
        _check_unpacked_sizes(package, shown)
        damaged = _first_damaged_part(package) if whole else None
        if damaged is not None:
            raise invalid(f"the part {damaged[0]} is damaged ({damaged[1]})")
        names = set(package.namelist())
        if "mimetype" in names and b"opendocument" in _part_bytes(package, "mimetype"):
            raise SourceError(shown, "is an OpenDocument file (.odt), not a Word file: in"
                                     " LibreOffice, File > Save As > Word 2007-365 (.docx)")
        if CONTENT_TYPES not in names:
            raise invalid(f"it has no {CONTENT_TYPES}")
        content_types = _content_types(parse(CONTENT_TYPES), names)
        xml = {name: parse(name) for name in sorted(names)
               if _is_xml(name) and name != CONTENT_TYPES
               and (whole or not content_types[name].lower().endswith(INERT_CONTENT_TYPES))}
    return names, content_types, xml


def _check_unpacked_sizes(package: zipfile.ZipFile, shown: Path) -> None:
    """Refuse a package whose zip directory declares a part, or all parts together, larger
    than a Word file needs (a zip bomb), before any part is read."""
    total = xml = 0
    for info in package.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise SourceError(shown, f"its part {_shown(info.filename)} unpacks to"
                                     f" {_megabytes(info.file_size)}, more than the"
                                     f" {_megabytes(MAX_PART_BYTES)} a part may have: "
                                     + SHRINK)
        total += info.file_size
        if _is_xml(info.filename):
            xml += info.file_size
    if xml > MAX_XML_BYTES:
        raise SourceError(shown, f"its XML parts unpack to {_megabytes(xml)}, more than the"
                                 f" {_megabytes(MAX_XML_BYTES)} a Word file's text, styles"
                                 " and settings may have: copy its content into a new"
                                 " document and save that")
    if total > MAX_PACKAGE_BYTES:
        raise SourceError(shown, f"unpacks to {_megabytes(total)}, more than the"
                                 f" {_megabytes(MAX_PACKAGE_BYTES)} a Word file may have: "
                                 + SHRINK)


def _megabytes(n: int) -> str:
    return f"{n / 1048576:.0f} MB" if n >= 1048576 else f"{n} bytes"


def _part_bytes(package: zipfile.ZipFile, name: str) -> bytes:
    """A part's content, read a chunk at a time: zipfile stops at the size the directory
    declares (checked by _check_unpacked_sizes), where one read() of the whole would first
    inflate all the data there is."""
    chunks = []
    with package.open(name) as member:
        while chunk := member.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _first_damaged_part(package: zipfile.ZipFile) -> tuple[str, str] | None:
    """As ZipFile.testzip, every member read and its CRC checked, but with the reason, and
    a member zlib cannot inflate named rather than raised.

    Each member is read as if it declared one byte more than it does: one whose data
    inflates past its declared size then fails its CRC here, rather than passing (zipfile
    stops at the declared size) and inflating whole when python-docx reads it."""
    for info in package.infolist():
        one_more = copy.copy(info)
        one_more.file_size += 1
        try:
            with package.open(one_more) as member:
                while member.read(_CHUNK):
                    pass
        except _ZIP_ERRORS as exc:
            return info.filename, " ".join(str(exc).split())
    return None


def _content_types(root, names: set[str]) -> dict[str, str]:
    defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                for d in root.iter(f"{CT}Default")}
    overrides = {o.get("PartName", "").lstrip("/").lower(): o.get("ContentType", "")
                 for o in root.iter(f"{CT}Override")}
    # Part names in a package compare without regard to case.
    return {name: overrides.get(name.lower(),
                                defaults.get(posixpath.splitext(name)[1][1:].lower(), ""))
            for name in names if not name.endswith("/")}


def _main_part(package_rels) -> str | None:
    for rel in package_rels.iter(f"{PR}Relationship"):
        if rel.get("Type") == OFFICE_DOCUMENT and not _is_external(rel):
            return _resolve("", rel.get("Target", ""))
    return None


def _hazards(package: _Package) -> Iterator[Hazard]:
    main_type = package.content_types.get(package.main, "")
    if "macroenabled" in main_type.lower():
        yield Hazard("is a macro-enabled Word file (.docm or .dotm)",
                     SAVE_AS_DOCX + ", which leaves the macros out")
    for name in sorted(package.names):
        content_type = package.content_types.get(name, "").lower()
        kinds = [kind for pattern, kind in REFUSED_PARTS if pattern.search(name)]
        kinds += [kind for marker, kind in REFUSED_CONTENT_TYPES if marker in content_type]
        for kind in kinds:
            found, fix = REFUSED_RELATIONSHIPS[kind]
            yield Hazard(f"{found} ({name})", fix)
    for rels_name in sorted(n for n in package.xml if _is_rels(n)):
        for rel in package.xml[rels_name].iter(f"{PR}Relationship"):
            hazard = _relationship_hazard(rel, rels_name)
            if hazard is not None:
                yield hazard
    for name, root in sorted(package.xml.items()):
        if name.startswith("word/") and not _is_rels(name):
            yield from _part_hazards(name, root)


def _relationship_hazard(rel, rels_name: str) -> Hazard | None:
    kind = rel.get("Type", "").rstrip("/").rsplit("/", 1)[-1].lower()
    target = rel.get("Target", "")
    shown = _shown(target)
    if kind in REFUSED_RELATIONSHIPS:
        found, fix = REFUSED_RELATIONSHIPS[kind]
        return Hazard(f"{found} ({shown}, in {rels_name})", fix)
    if not _is_external(rel):
        return None
    if kind == HYPERLINK:
        if urlsplit(target.strip()).scheme.lower() in HYPERLINK_SCHEMES:
            return None
        return Hazard(f"has a link to {shown}, which is neither a web nor an e-mail address"
                      f" (in {rels_name})", "right-click the link > Remove Hyperlink")
    if kind == "image":
        return Hazard(f"links a picture from {shown} instead of holding it (in {rels_name})",
                      "File > Info > Edit Links to Files > Break Link, or delete the picture"
                      " and Insert > Pictures > This Device")
    return Hazard(f"links to {shown} (a {kind or 'nameless'} relationship in {rels_name})",
                  "File > Info > Edit Links to Files > Break Link, or delete what shows it")


def _part_hazards(name: str, root) -> Iterator[Hazard]:
    if root.tag == f"{W}settings" and root.find(f"{W}mailMerge") is not None:
        yield Hazard(f"is a mail-merge document linked to a data source ({name})",
                     "Mailings > Start Mail Merge > Normal Word Document")
    for instruction in _field_instructions(root):
        match = FETCHING_FIELDS.match(instruction)
        if match:
            yield Hazard(f"has a field {match[1].upper()} that fetches"
                         f" '{_shown(instruction.strip())}' when fields are updated ({name})",
                         "select it and press Ctrl+Shift+F9 to turn it into ordinary content")


def _field_instructions(root) -> Iterator[str]:
    """Each field's instruction: a simple field's attribute, or the text of the instrText
    runs between a complex field's begin and separate marks (fields nest)."""
    for simple in root.iter(f"{W}fldSimple"):
        yield simple.get(f"{W}instr", "")
    open_fields: list[list[str] | None] = []  # None: its instruction is read, its result follows
    for element in root.iter(f"{W}fldChar", f"{W}instrText"):
        if element.tag == f"{W}instrText":
            if open_fields and open_fields[-1] is not None:
                open_fields[-1].append(element.text or "")
            continue
        kind = element.get(f"{W}fldCharType")
        if kind == "begin":
            open_fields.append([])
        elif open_fields:
            if open_fields[-1] is not None:
                yield "".join(open_fields[-1])
                open_fields[-1] = None
            if kind == "end":
                open_fields.pop()


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _is_rels(name: str) -> bool:
    return name.endswith(".rels")


def _is_external(rel) -> bool:
    # Word writes "External"; anything that names a scheme or a network share is treated
    # as external too, whatever its TargetMode says.
    target = rel.get("Target", "").strip()
    return (rel.get("TargetMode", "").lower() == "external"
            or bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE))
            or target.startswith(("//", "\\\\")))


def _source_of(rels_name: str) -> str:
    """word/_rels/document.xml.rels -> word/document.xml; _rels/.rels -> the package."""
    folder, _, file = rels_name.rpartition("_rels/")
    return folder + file.removesuffix(".rels")


def _resolve(source: str, target: str) -> str:
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def _shown(text: str, limit: int = 80) -> str:
    """Text from the file as one short line of a message."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
