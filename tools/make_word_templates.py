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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
ACCENT = RGBColor(0x9E, 0x1B, 0x1E)
OUT = Path(__file__).resolve().parent.parent / "templates" / "docx"


def set_fonts(style, face: str) -> None:
    """Latin and East Asian slots both, so Word and LibreOffice pick the CJK face."""
    style.font.name = face
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), face)
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
    normal = paragraph_style(doc, "Normal", face=SERIF, size=11, line=1.5,
                             align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    set_language(normal)
    body = paragraph_style(doc, "Body Text", face=SERIF, size=11, line=1.5,
                           align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=2)
    first_line_chars(body, 200, 11)
    paragraph_style(doc, "Heading 1", face=SANS, size=18, bold=True, color=RGBColor(0x1D, 0x1D, 0x1F),
                    align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=18, keep_next=True)
    paragraph_style(doc, "Heading 2", face=SANS, size=13, bold=True, color=ACCENT,
                    before=12, after=6, keep_next=True)
    paragraph_style(doc, "Heading 3", face=SANS, size=11, bold=True, color=ACCENT,
                    before=8, after=3, keep_next=True)
    doc.styles["Heading 1"].paragraph_format.page_break_before = True
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
    paragraph_style(doc, "Figure", face=SERIF, size=11, align=WD_ALIGN_PARAGRAPH.CENTER,
                    before=6, after=0, keep_next=True)
    paragraph_style(doc, "Caption", face=SANS, size=9.5, bold=False,
                    color=RGBColor(0x1D, 0x1D, 0x1F), align=WD_ALIGN_PARAGRAPH.CENTER,
                    before=3, after=0, keep_next=True)
    paragraph_style(doc, "Source Note", face=SERIF, size=8, color=RGBColor(0x66, 0x66, 0x66),
                    align=WD_ALIGN_PARAGRAPH.LEFT, after=10, line=1.2)
    paragraph_style(doc, "Key Figure Value", face=SANS, size=20, bold=True, color=ACCENT,
                    align=WD_ALIGN_PARAGRAPH.LEFT, line=1.0)
    paragraph_style(doc, "Key Figure Label", face=SANS, size=8.5,
                    align=WD_ALIGN_PARAGRAPH.LEFT, after=2, line=1.2)
    paragraph_style(doc, "Table Text", face=SERIF, size=9, align=WD_ALIGN_PARAGRAPH.LEFT,
                    line=1.2)
    paragraph_style(doc, "Brief Point", base="Normal", face=SERIF, size=10.5, after=3, line=1.4)
    paragraph_style(doc, "Header", face=SANS, size=8, color=RGBColor(0x88, 0x88, 0x88),
                    align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph_style(doc, "Footer", face=SANS, size=9, color=RGBColor(0x44, 0x44, 0x44),
                    align=WD_ALIGN_PARAGRAPH.CENTER)
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
    table_styles(doc)


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
    accent, soft, rule = "9E1B1E", "F6ECEB", "BFBFBF"
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
    table_style(doc, "Data Table", f"""
      <w:pPr><w:spacing w:before="20" w:after="20" w:line="260" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:sz w:val="18"/></w:rPr>
      <w:tblPr>
        <w:tblBorders>
          <w:top w:val="single" w:sz="8" w:color="{accent}"/>
          <w:bottom w:val="single" w:sz="8" w:color="{accent}"/>
          <w:insideH w:val="single" w:sz="2" w:color="{rule}"/>
        </w:tblBorders>
        <w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>
      </w:tblPr>
      <w:tblStylePr w:type="firstRow">
        <w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>
        <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{accent}"/></w:tcPr>
      </w:tblStylePr>""")


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


def whitepaper() -> None:
    doc = Document()
    base_styles(doc)
    page_setup(doc)
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
    doc.add_paragraph("目录", style="TOC Heading")
    doc.add_paragraph("[[TOC]]", style="Normal")
    doc.add_paragraph("[[BODY]]", style="Body Text")
    doc.core_properties.title = "White paper template"
    doc.core_properties.author = "paperpress"
    doc.save(OUT / "whitepaper.docx")


def brief() -> None:
    doc = Document()
    base_styles(doc)
    page_setup(doc, top=20, bottom=20, side=20)
    section = doc.sections[0]
    page_number_footer(section, different_first=False)
    doc.styles["Heading 1"].paragraph_format.page_break_before = False
    doc.styles["Title"].font.size = Pt(18)
    # A brief is dense: tighter headings than the white paper.
    for name, before, after in (("Heading 2", 8, 3), ("Heading 3", 5, 1)):
        doc.styles[name].paragraph_format.space_before = Pt(before)
        doc.styles[name].paragraph_format.space_after = Pt(after)
    doc.styles["Brief Point"].paragraph_format.space_after = Pt(1)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph("{{ brief_title }}", style="Heading 3")
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{{ subtitle }} · {{ issuer }} · {{ date }}", style="Cover Issuer")
    doc.paragraphs[-1].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph("[[BODY]]", style="Body Text")
    doc.core_properties.title = "Brief template"
    doc.core_properties.author = "paperpress"
    doc.save(OUT / "brief.docx")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    whitepaper()
    brief()
    print(f"wrote {OUT}/whitepaper.docx and brief.docx")
