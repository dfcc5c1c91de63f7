"""The Word templates editors restyle: named styles with CJK faces in the East Asian slot."""

import docx
import pytest
from docx.oxml.ns import qn

from conftest import REPO

TEMPLATES = [REPO / "templates" / "docx" / n for n in ("whitepaper.docx", "brief.docx")]
STYLES = ["Normal", "Body Text", "Heading 1", "Heading 2", "Heading 3", "Title", "Caption",
          "Source Note", "Table Text", "Key Figure Value", "Key Figure Label", "Header",
          "Footer", "Lead-in", "Figure Number", "Key Figure Unit"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_styles_set_the_cjk_face_in_the_east_asian_slot(template):
    document = docx.Document(str(template))
    for name in STYLES:
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts is not None and "CJK SC" in fonts.get(qn("w:eastAsia")), name
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_mark_where_the_text_goes_and_have_the_table_styles(template):
    document = docx.Document(str(template))
    assert "[[BODY]]" in [p.text for p in document.paragraphs]
    assert {"Key Figures", "Report Table", "Box"} <= {s.name for s in document.styles}


def test_body_text_indents_its_first_line_by_two_characters():
    style = docx.Document(str(TEMPLATES[0])).styles["Body Text"]
    ind = style.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert style.paragraph_format.line_spacing == 1.5
