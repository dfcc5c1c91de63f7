"""Pieces of WordprocessingML python-docx has no API for: fields, bookmarks, links, settings
in their schema order, and the document's language."""

from __future__ import annotations

import re

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# Languages whose text is set in the East Asian face, Latin letters and digits included:
# Word would otherwise set a Chinese text's digits and its “” quotes in the Latin face.
EAST_ASIAN = {"zh", "ja", "ko"}


def add_field(paragraph, instruction: str, cached: str, char_style: str | None = None):
    """A Word field (SEQ, PAGE, TOC …) with a cached result shown until Word updates it."""
    def run_with(child):
        run = paragraph.add_run(style=char_style)
        run._r.append(child)

    run_with(_field_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    run_with(instr)
    run_with(_field_char("separate"))
    paragraph.add_run(cached, style=char_style)
    run_with(_field_char("end"))


def begin_field(paragraph, instruction: str) -> None:
    """Open a field whose result runs over the paragraphs that follow (a TOC): its begin
    mark, instruction and separator; ``end_field`` closes it."""
    for child in (_field_char("begin"), _instruction(instruction), _field_char("separate")):
        paragraph.add_run()._r.append(child)


def end_field(paragraph) -> None:
    paragraph.add_run()._r.append(_field_char("end"))


def add_page_reference(parent, bookmark: str, cached: str):
    """A tab and a PAGEREF field to ``bookmark`` at the end of ``parent`` (a paragraph or
    a link in one), as a contents entry ends: the element holding the cached page number
    is returned, to be filled in once the pages are known."""
    def run(*children):
        r = OxmlElement("w:r")
        for child in children:
            r.append(child)
        parent.append(r)

    run(OxmlElement("w:tab"))
    run(_field_char("begin"))
    run(_instruction(f" PAGEREF {bookmark} \\h "))
    run(_field_char("separate"))
    number = OxmlElement("w:t")
    number.text = cached
    run(number)
    run(_field_char("end"))
    return number


def add_tab(paragraph, alignment: str, position: int, leader: str = "none") -> None:
    """A tab stop of the paragraph's own (``position`` in twips)."""
    ppr = paragraph._p.get_or_add_pPr()
    tabs = ppr.find(qn("w:tabs"))
    if tabs is None:
        tabs = OxmlElement("w:tabs")
        # pPr's schema order: tabs after pStyle … numPr, suppressAutoHyphens … pBdr, shd.
        successors = {qn(n) for n in PPR_AFTER_TABS}
        following = next((c for c in ppr if c.tag in successors), None)
        if following is None:
            ppr.append(tabs)
        else:
            following.addprevious(tabs)
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), alignment)
    tab.set(qn("w:leader"), leader)
    tab.set(qn("w:pos"), str(int(position)))
    tabs.append(tab)


PPR_AFTER_TABS = (
    "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
    "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
    "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _instruction(text: str):
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = text
    return instr


def _field_char(kind: str):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def add_label(paragraph, label: str, label_word: str, number: int, char_style: str) -> None:
    """A caption's label ("图3", "Figure 3") with its number as a SEQ field counting
    ``label_word``, so Word renumbers captions an editor adds or moves. The text around the
    number is the model's."""
    digits = str(number)
    at = label.rfind(digits)
    sequence = "_".join(label_word.split())
    if number <= 0 or at < 0 or not sequence:
        paragraph.add_run(label, style=char_style)
        return
    if label[:at]:
        paragraph.add_run(label[:at], style=char_style)
    add_field(paragraph, f" SEQ {sequence} \\* ARABIC ", digits, char_style)
    if label[at + len(digits):]:
        paragraph.add_run(label[at + len(digits):], style=char_style)


class Bookmarks:
    """Word bookmark names for the model's anchors: a name may hold only letters, digits
    and '_', 40 at most; one that starts with '_' is hidden, as Word hides those of its
    own cross-references."""

    def __init__(self, body):
        self.names: dict[str, str] = {}
        ids = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart"))
               if (b.get(qn("w:id")) or "").lstrip("-").isdigit()]
        self.next_id = max(ids, default=0) + 1
        self.taken = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}

    def name(self, anchor: str) -> str:
        if anchor not in self.names:
            base = "_Ref_" + re.sub(r"[^A-Za-z0-9]", "_", anchor)[:28]
            name, n = base, 1
            while name in self.taken:
                n += 1
                name = f"{base}_{n}"
            self.taken.add(name)
            self.names[anchor] = name
        return self.names[anchor]

    def start(self, paragraph, anchor: str) -> int | None:
        """Open the bookmark at the paragraph's end; close it with ``end``."""
        if not anchor:
            return None
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.next_id))
        start.set(qn("w:name"), self.name(anchor))
        paragraph._p.append(start)
        self.next_id += 1
        return self.next_id - 1

    @staticmethod
    def end(paragraph, bookmark_id: int | None) -> None:
        if bookmark_id is None:
            return
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(bookmark_id))
        paragraph._p.append(end)


def add_link(paragraph, text: str, char_style: str | None, *, anchor: str = "",
             relationship: str = ""):
    """A w:hyperlink around one run: to a bookmark in the document (``anchor``) or to the
    address of an external relationship (``relationship``, its r:id)."""
    link = OxmlElement("w:hyperlink")
    if relationship:
        link.set(qn("r:id"), relationship)
    else:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    run = paragraph.add_run(text, style=char_style)
    link.append(run._r)
    return run


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The end of settings.xml's schema order, from the first setting written here on.
SETTINGS_ORDER = tuple(W + name for name in (
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars",
    "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
    "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent",
    "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly",
    "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace",
    "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars",
    "rsids")) + (
    "{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr",) + tuple(
    W + name for name in (
        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
        "smartTagType")) + (
    "{http://schemas.openxmlformats.org/schemaLibrary/2006/main}schemaLibrary",) + tuple(
    W + name for name in ("shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                          "listSeparator"))


def put_setting(settings, element) -> None:
    """Add ``element`` to settings.xml where the schema puts it (Word refuses a file whose
    settings are out of order), replacing one of the same name."""
    for old in settings.findall(element.tag):
        settings.remove(old)
    successors = SETTINGS_ORDER[SETTINGS_ORDER.index(element.tag) + 1:]
    following = next((child for child in settings if child.tag in successors), None)
    if following is None:
        settings.append(element)
    else:
        following.addprevious(element)


def set_language(docx, lang: str) -> None:
    """The text's language on the document's defaults and every style that names one (Word
    and LibreOffice choose spelling, hyphenation and CJK glyph forms by it); a text in an
    East Asian language also has its Latin letters and digits set in the East Asian face."""
    east_asian = lang.split("-")[0].lower() in EAST_ASIAN
    styles = docx.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    if rpr.find(qn("w:lang")) is None:
        rpr.append(OxmlElement("w:lang"))
    for element in [*styles.iter(qn("w:lang"))]:
        _set_lang(element, lang, east_asian)
    if not east_asian:
        # Letter spacing is a Chinese cover's (a title spread out); Latin text is never
        # letter-spaced, the template's Title and Subtitle included.
        for spacing in [*styles.iter(qn("w:spacing"))]:
            if spacing.getparent().tag == qn("w:rPr"):
                spacing.getparent().remove(spacing)
    if east_asian:
        for fonts in styles.iter(qn("w:rFonts")):
            face = fonts.get(qn("w:eastAsia"))
            if face:
                for slot in ("w:ascii", "w:hAnsi"):
                    fonts.set(qn(slot), face)
                for theme in ("w:asciiTheme", "w:hAnsiTheme"):
                    fonts.attrib.pop(qn(theme), None)


def _set_lang(element, lang: str, east_asian: bool) -> None:
    # A Chinese text keeps the template's language for Latin words (w:val); an English
    # text is English in both slots, as Word writes it.
    element.set(qn("w:eastAsia"), lang)
    if not east_asian:
        element.set(qn("w:val"), lang)
