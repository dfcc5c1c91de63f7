"""The parts of a Word edition around its text, set from the publication when it is written:
its properties (docProps), the font table, the theme's East Asian faces and the settings a
Chinese text needs.

The Word template is an editor's file, made in Word, LibreOffice or by python-docx, and its
package carries where it came from: the properties of the file it was made from (a 2013
creation date, "Microsoft Macintosh Word"), a blank preview picture, the Japanese faces of
Office's default theme and font table, a theme language. None of that describes the
publication, so each is replaced or dropped here, whichever template is used.
"""

from __future__ import annotations

import datetime
import os

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from .wordxml import EAST_ASIAN, put_setting

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
APPLICATION = "paperpress"
# What app.xml says of the file as its application last saved it: counts of pages and
# words that are not this file's, the application's version and the template it used.
STALE_APP_PROPERTIES = ("Template", "TotalTime", "Pages", "Words", "Characters", "Lines",
                        "Paragraphs", "CharactersWithSpaces", "AppVersion", "DocSecurity")
# The theme's faces for East Asian scripts, by script (Office's default theme names
# Japanese, Korean and both Chinese faces): the publication's own face replaces them.
EAST_ASIAN_SCRIPTS = ("Jpan", "Hang", "Hans", "Hant")
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")


def is_east_asian(lang: str) -> bool:
    return lang.split("-")[0].lower() in EAST_ASIAN


def finish_package(docx, *, title: str, subject: str, author: str, keywords: str,
                   description: str, language: str, word_fonts: dict) -> None:
    """Set the edition's properties, font table, theme and settings from the publication
    (``language``: its tag, en-GB, zh-CN; ``word_fonts``: the locale's faces to fall back
    on, by face)."""
    _core_properties(docx, title=title, subject=subject, author=author, keywords=keywords,
                     description=description, language=language)
    _app_properties(docx)
    _drop_leftovers(docx)
    east_asian = is_east_asian(language)
    _settings(docx, language, east_asian)
    if east_asian:
        _no_space_between_scripts(docx)
    faces = _faces_used(docx)
    _font_table(docx, faces, word_fonts)
    _theme(docx, east_asian)


def build_time() -> datetime.datetime:
    """When the edition was made: SOURCE_DATE_EPOCH when the build sets it (a reproducible
    build), else now; in UTC, to the second."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)\
            .replace(tzinfo=None)
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def _core_properties(docx, *, title, subject, author, keywords, description, language):
    props = docx.core_properties
    props.title = title
    props.subject = subject
    props.author = author
    props.last_modified_by = author
    props.keywords = keywords
    props.comments = description
    props.language = language
    props.revision = 1
    when = build_time()
    props.created = when
    props.modified = when
    # What the template's file said of itself and not of the publication.
    element = props._element
    for name in ("cp:lastPrinted", "cp:category", "cp:contentStatus", "dc:identifier",
                 "cp:version"):
        for old in element.findall(qn(name)):
            element.remove(old)


def _related_part(package_or_part, reltype):
    for rel in package_or_part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return rel
    return None


def _app_properties(docx) -> None:
    """app.xml names paperpress as the application; the template's statistics and
    version go (Word counts pages and words again when it saves)."""
    package = docx.part.package
    rel = _related_part(package, RT.EXTENDED_PROPERTIES)
    if rel is None:
        return
    part = rel.target_part
    root = etree.fromstring(part.blob)
    for name in STALE_APP_PROPERTIES:
        for element in root.findall(EP + name):
            root.remove(element)
    application = root.find(EP + "Application")
    if application is None:
        application = etree.SubElement(root, EP + "Application")
        root.insert(0, application)
    application.text = APPLICATION
    part._blob = etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                                standalone=True)


def set_page_count(docx, pages: int) -> None:
    """app.xml's <Pages>, where Word keeps the page count of its last layout: here
    LibreOffice's (wordpages.py), which Word's own may differ from by a page or so."""
    rel = _related_part(docx.part.package, RT.EXTENDED_PROPERTIES)
    if rel is None:  # a template without app.xml: the count is not kept
        return
    part = rel.target_part
    root = etree.fromstring(part.blob)
    element = root.find(EP + "Pages")
    if element is None:
        element = etree.Element(EP + "Pages")
        application = root.find(EP + "Application")
        root.insert(0 if application is None else root.index(application) + 1, element)
    element.text = str(pages)
    part._blob = etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                                standalone=True)


# Word 2010's copy of the styles, which no later Word reads and python-docx does not keep
# in step with styles.xml: the template's styles as they were when it was made.
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _drop_leftovers(docx) -> None:
    """The preview picture of the template (python-docx's is a blank page) and its stale
    copy of the styles: each part goes with its relationship, and so its content type."""
    package = docx.part.package
    for rels, reltype in ((package.rels, RT.THUMBNAIL),
                          (docx.part.rels, STYLES_WITH_EFFECTS)):
        for r_id, rel in list(rels.items()):
            if rel.reltype == reltype:
                del rels[r_id]


def _settings(docx, language: str, east_asian: bool) -> None:
    settings = docx.settings.element
    # Neither the prompt to update fields on opening (their results are stored) nor a
    # preview picture saved with the file.
    for name in ("w:updateFields", "w:savePreviewPicture"):
        for element in settings.findall(qn(name)):
            settings.remove(element)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        put_setting(settings, theme_lang)
    if east_asian:
        theme_lang.set(qn("w:eastAsia"), language)
    else:
        theme_lang.set(qn("w:val"), language)
        theme_lang.attrib.pop(qn("w:eastAsia"), None)
    if east_asian:
        # Adjacent punctuation set in half its width (标点挤压), as the PDF sets it; line
        # breaking rules (kinsoku) stay Word's default, on.
        control = OxmlElement("w:characterSpacingControl")
        control.set(qn("w:val"), "compressPunctuation")
        put_setting(settings, control)


def _no_space_between_scripts(docx) -> None:
    """No space added where Chinese meets Latin letters or digits (Word and LibreOffice
    add one by default, the PDF does not): off in the paragraph defaults and in any style
    that turns it on."""
    styles = docx.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        defaults.append(ppr_default)
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        ppr_default.append(ppr)
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        for element in ppr.findall(qn(name)):
            ppr.remove(element)
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(name)
        element.set(qn("w:val"), "0")
        _insert_in_ppr(ppr, element)
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        for element in styles.iter(qn(name)):
            element.set(qn("w:val"), "0")


# pPr's children that follow autoSpaceDE and autoSpaceDN in the schema.
_PPR_AFTER_AUTOSPACE = tuple(qn(n) for n in (
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange"))


def _insert_in_ppr(ppr, element) -> None:
    if element.tag == qn("w:autoSpaceDE"):
        successors = (qn("w:autoSpaceDN"), *_PPR_AFTER_AUTOSPACE)
    else:
        successors = _PPR_AFTER_AUTOSPACE
    following = next((c for c in ppr if c.tag in successors), None)
    if following is None:
        ppr.append(element)
    else:
        following.addprevious(element)


def _xml_parts(docx):
    """(part, root, is_blob) for each XML part of the document's package."""
    for part in docx.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None:
            yield part, element, False
        elif part.content_type.endswith("+xml") and str(part.partname).startswith("/word/"):
            try:
                yield part, etree.fromstring(part.blob), True
            except etree.XMLSyntaxError:
                continue


def _faces_used(docx) -> list[str]:
    """Every face the text, styles, notes, headers and footers name, in order of first use."""
    faces: dict[str, None] = {}
    for _part, root, _blob in _xml_parts(docx):
        for fonts in root.iter(W + "rFonts"):
            for slot in FONT_SLOTS:
                face = fonts.get(qn(slot))
                if face:
                    faces.setdefault(face, None)
    return list(faces)


def _font_table(docx, faces: list[str], word_fonts: dict) -> None:
    """The font table lists the faces the file uses and no others; each the locale gives
    fallbacks for names them (w:altName: the faces Word, WPS and LibreOffice look for when
    the machine lacks it, first to last) with its character set, family and PANOSE number,
    by which a program without any of them picks a like face."""
    rel = _related_part(docx.part, RT.FONT_TABLE)
    if rel is None:
        return
    part = rel.target_part
    root = etree.fromstring(part.blob)
    entries = {font.get(qn("w:name")): font for font in root.findall(qn("w:font"))}
    for name, font in entries.items():
        if name not in faces:
            root.remove(font)
    for face in faces:
        font = entries.get(face)
        if font is None:
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), face)
        fallback = word_fonts.get(face)
        if fallback:
            _describe_font(font, fallback)
    part._blob = etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                                standalone=True)


# w:font's children in schema order.
FONT_CHILDREN = ("altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig",
                 "embedRegular", "embedBold", "embedItalic", "embedBoldItalic")


def _describe_font(font, fallback: dict) -> None:
    values = {"altName": ",".join(fallback["instead"]), "panose1": fallback.get("panose"),
              "charset": fallback.get("charset"), "family": fallback.get("family")}
    if values["panose1"] or values["charset"] or values["family"]:
        values["pitch"] = "variable" if (fallback.get("family") or "") != "modern" \
            else "fixed"
    for name, value in values.items():
        if not value:
            continue
        element = font.find(W + name)
        if element is None:
            element = etree.Element(W + name)
            position = FONT_CHILDREN.index(name)
            following = next((c for c in font if c.tag.startswith(W)
                              and c.tag[len(W):] in FONT_CHILDREN[position + 1:]), None)
            if following is None:
                font.append(element)
            else:
                following.addprevious(element)
        element.set(qn("w:val"), value)
    if fallback.get("panose") or fallback.get("charset"):
        # The signature of the template's face no longer says what the face covers.
        for sig in font.findall(W + "sig"):
            font.remove(sig)


def _theme(docx, east_asian: bool) -> None:
    """The theme's faces for East Asian text: the publication's own (its headings' and its
    text's East Asian faces) for a Chinese, Japanese or Korean text, none for another; the
    theme's list of faces by script (Office's Japanese, Korean and Chinese faces) goes."""
    rel = _related_part(docx.part, RT.THEME)
    if rel is None:
        return
    part = rel.target_part
    try:
        root = etree.fromstring(part.blob)
    except etree.XMLSyntaxError:
        return
    faces = {"majorFont": _east_asian_face(docx, "Heading 1"),
             "minorFont": _east_asian_face(docx, None)}
    for kind, face in faces.items():
        for scheme in root.iter(A + kind):
            for font in scheme.findall(A + "font"):
                if font.get("script") in EAST_ASIAN_SCRIPTS:
                    scheme.remove(font)
            ea = scheme.find(A + "ea")
            if ea is not None:
                ea.set("typeface", face if east_asian and face else "")
    part._blob = etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                                standalone=True)


def _east_asian_face(docx, style_name: str | None) -> str:
    """The East Asian face of a paragraph style (through the styles it is based on), or of
    the document's defaults."""
    styles = docx.styles.element
    style = None
    if style_name is not None:
        style = next((s for s in styles.findall(qn("w:style"))
                      if (s.find(qn("w:name")) is not None
                          and s.find(qn("w:name")).get(qn("w:val"), "").lower()
                          == style_name.lower())), None)
    for _ in range(20):
        if style is None:
            break
        fonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
        based_on = style.find(qn("w:basedOn"))
        style = None if based_on is None else styles.get_by_id(based_on.get(qn("w:val")))
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"
                           f"/{qn('w:rFonts')}")
    return "" if defaults is None else defaults.get(qn("w:eastAsia"), "")

