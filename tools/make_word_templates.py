"""Create the starting Word templates in templates/docx/.

Run once to (re)create them; after that the .docx files are the source of truth that
editors open and restyle in Word or LibreOffice. Everything the pipeline writes uses the
named styles defined here, so a change to a style in Word shows in the next build.

    python tools/make_word_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
# The Latin faces paired with each CJK face: a text in a Latin-script language is set in
# these (Word: Format > Font > Latin text font). Office ships both; elsewhere a reader's
# system substitutes a serif and a sans. For a Chinese text the writer sets Latin letters
# and digits in the CJK face as well, so both scripts share one design.
LATIN = {SERIF: "Cambria", SANS: "Calibri"}
ACCENT = RGBColor(0x9E, 0x1B, 0x1E)
OUT = Path(__file__).resolve().parent.parent / "templates" / "docx"


def set_fonts(style, face: str) -> None:
    """The CJK face in the East Asian slot, its Latin partner in the Latin slots."""
    set_font_slots(style.element.get_or_add_rPr(), face)


def set_font_slots(rpr, face: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN[face])
    fonts.set(qn("w:eastAsia"), face)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]


def set_language(style) -> None:
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def no_space_between_scripts(style) -> None:
    """No extra space where Chinese meets Latin letters or digits (Word and LibreOffice
    add a quarter em there by default): the text sets its own spaces, as in the PDF."""
    ppr = style.element.get_or_add_pPr()
    spacing = ppr.find(qn("w:spacing"))
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(name)
        element.set(qn("w:val"), "0")
        # pPr's schema order: both come before spacing.
        if spacing is not None:
            spacing.addprevious(element)
        else:
            ppr.append(element)


def first_line_chars(style, hundredths: int, size_pt: float) -> None:
    """Indent the first line by N/100 characters (Word's 'firstLineChars')."""
    style.paragraph_format.first_line_indent = Pt(size_pt * hundredths / 100)
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(hundredths))


def paragraph_style(doc, name, base="Normal", face=SERIF, size=11, bold=False, color=None,
                    align=None, before=0, after=0, line=None, keep_next=False):
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles[base]
    set_fonts(style, face)
    style.font.size = Pt(size)
    style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    pf = style.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing = line
    pf.keep_with_next = keep_next
    return style


def base_styles(doc) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    set_font_slots(defaults.find(qn("w:rPr")), SERIF)
    normal = paragraph_style(doc, "Normal", face=SERIF, size=11, line=1.5,
                             align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    set_language(normal)
    no_space_between_scripts(normal)
    body = paragraph_style(doc, "Body Text", face=SERIF, size=11, line=1.5,
                           align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=2)
    first_line_chars(body, 200, 11)
    paragraph_style(doc, "Heading 1", face=SANS, size=18, bold=True, color=RGBColor(0x1D, 0x1D, 0x1F),
                    align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=18, keep_next=True)
    paragraph_style(doc, "Heading 2", face=SANS, size=13, bold=True, color=ACCENT,
                    before=12, after=6, keep_next=True)
    paragraph_style(doc, "Heading 3", face=SANS, size=11, bold=True, color=ACCENT,
                    before=8, after=3, keep_next=True)
    # Whether a chapter opens a new page is the publication's setting (layout:
    # chapters_on_new_page), which the writer applies to each chapter heading.
    doc.styles["Heading 1"].paragraph_format.page_break_before = False
    for level in (1, 2, 3):
        doc.styles[f"Heading {level}"].element.get_or_add_pPr()
        doc.styles[f"Heading {level}"].font.italic = False
    paragraph_style(doc, "Title", face=SERIF, size=26, bold=True, color=RGBColor(0x1D, 0x1D, 0x1F),
                    align=WD_ALIGN_PARAGRAPH.CENTER, after=6, line=1.4)
    title_ppr = doc.styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)
    paragraph_style(doc, "Subtitle", face=SERIF, size=16, color=RGBColor(0x1D, 0x1D, 0x1F),
                    align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=6)
    doc.styles["Subtitle"].font.italic = False
    paragraph_style(doc, "Cover Issuer", face=SANS, size=12, align=WD_ALIGN_PARAGRAPH.CENTER,
                    line=1.6)
    paragraph_style(doc, "TOC Heading", face=SANS, size=18, bold=True, color=ACCENT,
                    align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=18)
    paragraph_style(doc, "TOC 1", face=SANS, size=11, bold=True, before=6, after=2)
    toc2 = paragraph_style(doc, "TOC 2", face=SERIF, size=10.5, after=2)
    toc2.paragraph_format.left_indent = Pt(21)
    toc3 = paragraph_style(doc, "TOC 3", face=SERIF, size=10, after=1)
    toc3.paragraph_format.left_indent = Pt(42)
    paragraph_style(doc, "Figure", face=SERIF, size=11, align=WD_ALIGN_PARAGRAPH.CENTER,
                    before=6, after=0, keep_next=True)
    paragraph_style(doc, "Caption", face=SANS, size=9.5, bold=False,
                    color=RGBColor(0x1D, 0x1D, 0x1F), align=WD_ALIGN_PARAGRAPH.CENTER,
                    before=6, after=3, keep_next=True)
    paragraph_style(doc, "Source Note", face=SERIF, size=8, color=RGBColor(0x66, 0x66, 0x66),
                    align=WD_ALIGN_PARAGRAPH.LEFT, after=10, line=1.2)
    # The key-figure panel's title: set as a heading, but no section of the text, so no
    # outline level: Word's navigation pane and the contents leave it out.
    paragraph_style(doc, "Key Figures Title", face=SANS, size=11, bold=True, color=ACCENT,
                    before=8, after=3, keep_next=True)
    # Kept with what follows: the panel's rows stay together on one page.
    paragraph_style(doc, "Key Figure Value", face=SANS, size=20, bold=True, color=ACCENT,
                    align=WD_ALIGN_PARAGRAPH.LEFT, line=1.0, keep_next=True)
    paragraph_style(doc, "Key Figure Label", face=SANS, size=8.5,
                    align=WD_ALIGN_PARAGRAPH.LEFT, after=2, line=1.2, keep_next=True)
    table_text_styles(doc)
    # The brief's text: a chapter's summary and a section's run of headlines in Brief
    # Text; its points a bulleted list in Brief Point (tied to the list numbering below).
    # Word sets a multiple of the face's own line height, which Noto CJK makes tall (about
    # 1.4 em at "single"): 1.15 is the PDF brief's 1.6 em.
    paragraph_style(doc, "Brief Text", base="Normal", face=SERIF, size=10, after=3, line=1.15)
    paragraph_style(doc, "Brief Point", base="Normal", face=SERIF, size=10, after=3, line=1.15)
    paragraph_style(doc, "Header", face=SANS, size=8, color=RGBColor(0x88, 0x88, 0x88),
                    align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph_style(doc, "Footer", face=SANS, size=9, color=RGBColor(0x44, 0x44, 0x44),
                    align=WD_ALIGN_PARAGRAPH.CENTER)
    quote = paragraph_style(doc, "Quote", base="Body Text", face=SERIF, size=10.5,
                            color=RGBColor(0x44, 0x44, 0x44), before=4, after=4, line=1.5)
    quote.font.italic = False  # CJK faces have no italic: Word would slant them
    quote.paragraph_format.left_indent = quote.paragraph_format.right_indent = Pt(24)
    # Not kept with the next paragraph: LibreOffice would keep the whole box with the
    # paragraph after it, and move both to the next page.
    paragraph_style(doc, "Box Title", face=SANS, size=11, bold=True, color=ACCENT,
                    align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
    paragraph_style(doc, "Box Text", base="Body Text", face=SERIF, size=10.5, after=2,
                    line=1.5)
    # Word's own names for its footnote styles, so that Word uses them for notes an editor
    # adds too (Word shows them as Footnote Text and Footnote Reference).
    note_text = paragraph_style(doc, "footnote text", face=SERIF, size=8.5,
                                align=WD_ALIGN_PARAGRAPH.LEFT, after=2, line=1.2)
    built_in(note_text, "FootnoteText")
    list_styles(doc)
    styles = doc.styles
    lead = styles.add_style("Lead-in", WD_STYLE_TYPE.CHARACTER)
    set_fonts(lead, SANS)
    lead.font.bold = True
    num = styles.add_style("Figure Number", WD_STYLE_TYPE.CHARACTER)
    set_fonts(num, SANS)
    num.font.bold = True
    num.font.color.rgb = ACCENT
    kf_unit = styles.add_style("Key Figure Unit", WD_STYLE_TYPE.CHARACTER)
    set_fonts(kf_unit, SANS)
    kf_unit.font.size = Pt(10)
    # No face of their own: a link or a note call is set in the face around it.
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    built_in(link, "Hyperlink")
    link.font.color.rgb = RGBColor(0x1F, 0x4E, 0x8C)
    link.font.underline = True
    note_call = styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER)
    built_in(note_call, "FootnoteReference")
    note_call.font.superscript = True
    table_styles(doc)


def built_in(style, style_id: str) -> None:
    """Mark a style as Word's built-in of that name, with the id Word gives it."""
    style.style_id = style_id
    if style.element.get(qn("w:customStyle")) is not None:
        del style.element.attrib[qn("w:customStyle")]


def table_text_styles(doc) -> None:
    """Cell paragraphs: a style per alignment, for header and body cells, so a table's
    columns line up by style and not by formatting written into each cell."""
    paragraph_style(doc, "Table Text", face=SERIF, size=9, align=WD_ALIGN_PARAGRAPH.LEFT,
                    line=1.2)
    paragraph_style(doc, "Table Header", base="Table Text", face=SANS, size=9, bold=True,
                    color=RGBColor(0x1D, 0x1D, 0x1F), align=WD_ALIGN_PARAGRAPH.LEFT, line=1.2)
    for kind in ("Text", "Header"):
        for suffix, align in ((" Number", WD_ALIGN_PARAGRAPH.RIGHT),
                              (" Centered", WD_ALIGN_PARAGRAPH.CENTER)):
            style = doc.styles.add_style(f"Table {kind}{suffix}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = doc.styles[f"Table {kind}"]
            style.paragraph_format.alignment = align


# The list styles and the numbering each is linked to: (style, style id, format, text).
# The writer starts each numbered list at its own first number on the style's definition.
LISTS = (("List Bullet", "ListBullet", "bullet", "\u2022"),
         ("List Bullet 2", "ListBullet2", "bullet", "\u2013"),
         ("List Number", "ListNumber", "decimal", "%1."),
         ("List Number 2", "ListNumber2", "decimal", "%1)"),
         ("Brief Point", "BriefPoint", "bullet", "\u2022"))
LIST_INDENT, LIST_HANGING = 440, 300  # twips: the text of a level-1 item, its marker's room


def list_styles(doc) -> None:
    from docx.oxml import parse_xml

    numbering = doc.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    # Word's other list styles point at numbering removed here: they are unnumbered.
    for style in doc.styles.element.iter(qn("w:style")):
        ppr = style.find(qn("w:pPr"))
        for num_pr in [] if ppr is None else ppr.findall(qn("w:numPr")):
            ppr.remove(num_pr)
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for n, (name, style_id, fmt, text) in enumerate(LISTS):
        level = 2 if name.endswith(" 2") else 1
        numbering.append(parse_xml(
            f'<w:abstractNum {ns} w:abstractNumId="{n}">'
            f'<w:multiLevelType w:val="singleLevel"/>'
            f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:pStyle w:val="{style_id}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{LIST_INDENT * level}" w:hanging="{LIST_HANGING}"/></w:pPr>'
            f'</w:lvl></w:abstractNum>'))
    for n, (name, *_rest) in enumerate(LISTS):
        numbering.append(parse_xml(f'<w:num {ns} w:numId="{n + 1}">'
                                   f'<w:abstractNumId w:val="{n}"/></w:num>'))
        if name == "Brief Point":
            style = doc.styles[name]
        else:
            style = paragraph_style(doc, name, face=SERIF, size=11, after=2, line=1.5,
                                    align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        ppr = style.element.get_or_add_pPr()
        num_pr = parse_xml(f'<w:numPr {ns}><w:numId w:val="{n + 1}"/></w:numPr>')
        ppr.insert(0, num_pr)  # numPr comes first but for pStyle, keepNext and keepLines
        _move_after_keeps(ppr, num_pr)
    for name, level in (("List Continue", 1), ("List Continue 2", 2)):
        style = paragraph_style(doc, name, face=SERIF, size=11, after=2, line=1.5,
                                align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        style.paragraph_format.left_indent = Pt(LIST_INDENT * level / 20)


def _move_after_keeps(ppr, element) -> None:
    """pPr children have a fixed order: keepNext, keepLines, pageBreakBefore … numPr."""
    before = [c for c in ppr if c.tag in {qn(t) for t in (
        "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
        "w:widowControl")}]
    if before:
        before[-1].addnext(element)


def table_style(doc, name: str, xml_body: str) -> None:
    """A named table style: borders, shading and a header row an editor can change in
    Word (Table Design), instead of formatting written into every cell."""
    from docx.oxml import parse_xml

    style = doc.styles.add_style(name, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Normal Table"]
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for child in parse_xml(f"<w:root {ns}>{xml_body}</w:root>"):
        style.element.append(child)


def table_styles(doc) -> None:
    accent, soft, rule, box = "9E1B1E", "F6ECEB", "BFBFBF", "FBF6F5"
    table_style(doc, "Key Figures", f"""
      <w:tblPr>
        <w:tblBorders>
          <w:top w:val="single" w:sz="12" w:color="{accent}"/>
          <w:bottom w:val="single" w:sz="4" w:color="{accent}"/>
          <w:insideV w:val="single" w:sz="4" w:color="FFFFFF"/>
          <w:insideH w:val="single" w:sz="4" w:color="FFFFFF"/>
        </w:tblBorders>
        <w:tblCellMar><w:top w:w="80" w:type="dxa"/><w:left w:w="120" w:type="dxa"/>
          <w:bottom w:w="80" w:type="dxa"/><w:right w:w="120" w:type="dxa"/></w:tblCellMar>
      </w:tblPr>
      <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{soft}"/></w:tcPr>""")
    # Thin rules, a shaded header row (repeated on every page the table runs over).
    table_style(doc, "Report Table", f"""
      <w:pPr><w:spacing w:before="20" w:after="20" w:line="260" w:lineRule="auto"/></w:pPr>
      <w:tblPr>
        <w:tblBorders>
          <w:top w:val="single" w:sz="8" w:color="{accent}"/>
          <w:bottom w:val="single" w:sz="8" w:color="{accent}"/>
          <w:insideH w:val="single" w:sz="2" w:color="{rule}"/>
        </w:tblBorders>
        <w:tblCellMar><w:top w:w="30" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>
          <w:bottom w:w="30" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>
      </w:tblPr>
      <w:tblStylePr w:type="firstRow">
        <w:tcPr>
          <w:tcBorders><w:bottom w:val="single" w:sz="6" w:color="{accent}"/></w:tcBorders>
          <w:shd w:val="clear" w:color="auto" w:fill="{soft}"/>
        </w:tcPr>
      </w:tblStylePr>""")
    # A box: one shaded, ruled cell holding its title and its text.
    table_style(doc, "Box", f"""
      <w:tblPr>
        <w:tblBorders>
          <w:top w:val="single" w:sz="12" w:color="{accent}"/>
          <w:left w:val="single" w:sz="4" w:color="{accent}"/>
          <w:bottom w:val="single" w:sz="4" w:color="{accent}"/>
          <w:right w:val="single" w:sz="4" w:color="{accent}"/>
        </w:tblBorders>
        <w:tblCellMar><w:top w:w="140" w:type="dxa"/><w:left w:w="200" w:type="dxa"/>
          <w:bottom w:w="140" w:type="dxa"/><w:right w:w="200" w:type="dxa"/></w:tblCellMar>
      </w:tblPr>
      <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{box}"/></w:tcPr>""")


def east_asian_theme_language(doc) -> None:
    """Word picks theme fonts for East Asian text by this language (the default says
    Japanese)."""
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def page_setup(doc, top=27, bottom=24, side=24) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin = section.right_margin = Mm(side)
    section.header_distance, section.footer_distance = Mm(12), Mm(12)


def page_number_footer(section, different_first=True) -> None:
    section.different_first_page_header_footer = different_first
    paragraph = section.footer.paragraphs[0]
    paragraph.style = "Footer"
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)


def contents_tabs(doc) -> None:
    """The contents' page numbers at the right margin, after a dot leader, in the TOC
    styles (Word writes the same tab into each entry when it remakes the contents)."""
    section = doc.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    for level in (1, 2, 3):
        doc.styles[f"TOC {level}"].paragraph_format.tab_stops.add_tab_stop(
            width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def without_origin(doc) -> None:
    """Nothing of python-docx's own default file, which these templates start from: its
    2013 dates and description, "Microsoft Macintosh Word", its blank preview picture, its
    stale copy of the styles and the Japanese faces of its font table. (The Word writer
    does the same, and sets the publication's, for any template.)"""
    from paperpress.wordpackage import _app_properties, _drop_leftovers, _faces_used, _font_table

    props = doc.core_properties._element
    for name in ("dcterms:created", "dcterms:modified", "dc:description", "cp:lastPrinted"):
        for element in props.findall(qn(name)):
            props.remove(element)
    _app_properties(doc)
    _drop_leftovers(doc)
    _font_table(doc, _faces_used(doc), {})


def whitepaper() -> None:
    doc = Document()
    base_styles(doc)
    east_asian_theme_language(doc)
    page_setup(doc)
    contents_tabs(doc)
    section = doc.sections[0]
    page_number_footer(section)
    header = section.header.paragraphs[0]
    header.style = "Header"
    header.text = "{{ title }}"
    for _ in range(7):
        doc.add_paragraph("", style="Normal")
    doc.add_paragraph("{{ title_lines[0] }}", style="Title")
    doc.add_paragraph("{{ title_lines[1] }}", style="Title")
    doc.add_paragraph("{{ subtitle }}", style="Subtitle")
    for _ in range(12):
        doc.add_paragraph("", style="Normal")
    doc.add_paragraph("{{ issuer }}", style="Cover Issuer")
    last = doc.add_paragraph("{{ date }}", style="Cover Issuer")
    last.add_run().add_break(WD_BREAK.PAGE)
    # The contents' title in the publication's language, from its locale.
    doc.add_paragraph("{{ strings.contents }}", style="TOC Heading")
    doc.add_paragraph("[[TOC]]", style="Normal")
    doc.add_paragraph("[[BODY]]", style="Body Text")
    doc.core_properties.title = "White paper template"
    doc.core_properties.author = "paperpress"
    without_origin(doc)
    doc.save(OUT / "whitepaper.docx")


def brief() -> None:
    doc = Document()
    base_styles(doc)
    east_asian_theme_language(doc)
    page_setup(doc, top=16, bottom=16, side=16)
    section = doc.sections[0]
    page_number_footer(section, different_first=False)
    doc.styles["Title"].font.size = Pt(18)
    # A brief is dense: its chapters (Heading 1) and sections (Heading 2) smaller and
    # tighter than the white paper's, and left-aligned.
    for name, size, before, after in (("Heading 1", 13, 8, 3), ("Heading 2", 11, 5, 1)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
    for name in ("Brief Point", "Brief Text"):
        doc.styles[name].paragraph_format.space_after = Pt(1)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    # The brief's name above its title ("At a glance"): no heading of the outline.
    paragraph_style(doc, "Brief Label", face=SANS, size=11, bold=True, color=ACCENT,
                    after=1, keep_next=True)
    doc.add_paragraph("{{ brief_title }}", style="Brief Label")
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{% if subtitle %}{{ subtitle }} · {% endif %}{{ issuer }} · {{ date }}",
                      style="Cover Issuer")
    doc.paragraphs[-1].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph("[[BODY]]", style="Body Text")
    doc.core_properties.title = "Brief template"
    doc.core_properties.author = "paperpress"
    without_origin(doc)
    doc.save(OUT / "brief.docx")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    whitepaper()
    brief()
    print(f"wrote {OUT}/whitepaper.docx and brief.docx")
