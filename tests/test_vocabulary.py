"""The whole vocabulary of a report, in English and in Chinese: each construct in the render
model, in the HTML (as a browser parses it) and in the PDF (as a reader extracts it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image as PILImage

from conftest import REPO, squash
from paperpress.document import build_document, write_document_model
from paperpress.errors import SourceError
from paperpress.html import render_whitepaper_html
from paperpress.model import Box, Image, ListBlock, Quote, Table, UnknownBlock
from paperpress.pdf import render_pdf

TEMPLATES = REPO / "templates"

EN_TEXT = """---
title: Harbour Annual Report
issuer: Harbour Authority
date: March 2026
lang: en
---

# Overview {#overview}

**Traffic grew again.** Throughput reached {{ teu@2025 }} in {{ teu@2025 | period }},
up from {{ teu@2024 }}[^growth]. The figures are set out {{ see throughput }}; the
harbour {{ see harbour }} and the berths {{ see berths }} are described {{ see plans }}.

[^growth]: Measured in twenty-foot equivalent units, as reported to the statistics office.

- Container traffic
- Bulk traffic
  1. Grain
  2. Ore

> A harbour is only as good as its people.

Read more at <https://example.org/report> or [the archive](https://example.com/archive).

::: box The green berth programme {#plans}
Shore power reached **four** berths.

1. North quay
2. South quay
:::

| Terminal | Moves | Share |
|:---------|------:|------:|
| North    | 1,200 | 60%   |
| South    | 800   | 40%   |

Table: Moves by terminal {#berths source="Terminal operators"}

![A container ship moored under three cranes at dusk](images/harbour.png "The harbour at dusk"){#harbour source="Illustration: the editors" width="60%"}

{{ table throughput }}

As {{ ref berths }} shows, and {{ see overview }} says.
"""

ZH_TEXT = """---
title: 青山市统计公报
issuer: 青山市统计局
date: 2026年3月
lang: zh-CN
---

# 综合 {#general}

**经济平稳增长。**全年集装箱吞吐量{{ teu@2025 }}，{{ teu@2025 | period }}比上年增长[^a]。详见{{ see throughput }}和{{ see plans }}。

[^a]: 按可比价格计算。

1. 工业
   - 规模以上工业
   - 建筑业
2. 服务业

::: box 绿色港口 {#plans}
岸电覆盖**四个**泊位。
:::

| 指标 | 数值 |
|---|---|
| 港口 | 1200 |

Table: 主要指标 {#main source="青山市统计局"}

{{ table throughput }}

见{{ ref main }}。
"""

DATA = ("key,period,value,unit,label,section\n"
        "teu,2024,1.42,million TEU,Container throughput,1 Traffic\n"
        "teu,2025,1550.50,million TEU,Container throughput,1 Traffic\n")
ZH_DATA = ("key,period,value,unit,label,section\n"
           "teu,2024,1.42,万标箱,集装箱吞吐量,一\n"
           "teu,2025,1550.50,万标箱,集装箱吞吐量,一\n")
TABLE_SPEC = ("caption: \"{caption}\"\nsource: \"{source}\"\ndata: [traffic.csv]\nrows: [teu]\n"
              "columns: ['2024', '2025']\n")


def make_publication(root: Path, text: str, data: str, caption: str, source: str) -> Path:
    pub = root / "sources" / "pub"
    for folder in ("data", "charts", "tables", "images"):
        (pub / folder).mkdir(parents=True, exist_ok=True)
    (pub / "text.md").write_text(text, encoding="utf-8")
    (pub / "data" / "traffic.csv").write_text(data, encoding="utf-8")
    (pub / "tables" / "throughput.yaml").write_text(
        TABLE_SPEC.format(caption=caption, source=source), encoding="utf-8")
    (pub / "publication.yaml").write_text("layout:\n  chapters_on_new_page: false\n",
                                          encoding="utf-8")
    # 1800 px across 60% of a 162 mm column: about 470 dpi.
    PILImage.new("RGB", (1800, 1000), (30, 80, 130)).save(pub / "images" / "harbour.png")
    return pub


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("en")
    return make_publication(root, EN_TEXT, DATA, "Container throughput",
                            "Source: Harbour Authority")


@pytest.fixture(scope="module")
def chinese(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("zh")
    return make_publication(root, ZH_TEXT, ZH_DATA, "集装箱吞吐量", "资料来源：港务局")


def edition(pub: Path, tmp: Path) -> tuple[Path, Path]:
    """The HTML and PDF editions of ``pub`` (no charts), written under ``tmp``."""
    model = tmp / "document.json"
    write_document_model(pub, model, TEMPLATES)
    html = tmp / "whitepaper.html"
    render_whitepaper_html(model, tmp, TEMPLATES / "html", html, sources_dir=pub)
    pdf = tmp / "whitepaper.pdf"
    render_pdf(html, pdf)
    return html, pdf


@pytest.fixture(scope="module")
def english_editions(english, tmp_path_factory):
    return edition(english, tmp_path_factory.mktemp("en-out"))


@pytest.fixture(scope="module")
def chinese_editions(chinese, tmp_path_factory):
    return edition(chinese, tmp_path_factory.mktemp("zh-out"))


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


# -- the model --------------------------------------------------------------------------


def test_english_numbers_units_periods_and_labels_come_from_the_en_locale(english):
    doc = build_document(english, TEMPLATES)
    lead = doc.blocks[1]
    assert lead.lead == "Traffic grew again."
    text = lead.text
    assert "1,550.50\u00a0million TEU in 2025" in text and "1.42\u00a0million TEU" in text
    assert "(see Table\u00a02)" in text and "(see Figure\u00a01)" in text
    assert "(see Table\u00a01)" in text and "(see Box\u00a01)" in text
    tables = [b for b in doc.walk() if isinstance(b, Table)]
    assert [(t.label, t.caption, t.origin) for t in tables] == [
        ("Table\u00a01", "Moves by terminal", "text"), ("Table\u00a02", "Container throughput", "data")]
    assert tables[0].align == ["left", "right", "right"]
    assert tables[0].source == "Terminal operators"
    last = doc.blocks[-1].text
    assert last == "As Table\u00a01 shows, and (see “Overview”) says."
    assert doc.strings["contents"] == "Contents" and doc.notes[0].number == 1


def test_chinese_labels_references_and_periods_come_from_the_zh_cn_locale(chinese):
    doc = build_document(chinese, TEMPLATES)
    text = doc.blocks[1].text
    assert "1550.50万标箱" in text and "2025年" in text
    assert "（见表2）" in text and "（见专栏1）" in text
    boxes = [b for b in doc.walk() if isinstance(b, Box)]
    assert [(b.label, b.title) for b in boxes] == [("专栏1", "绿色港口")]
    assert doc.blocks[-1].text == "见表1。"
    lists = [b for b in doc.walk() if isinstance(b, ListBlock)]
    assert [(l.ordered, l.depth) for l in lists] == [(True, 1), (False, 2)]


def test_constructs_nest_as_written(english):
    doc = build_document(english, TEMPLATES)
    quote = next(b for b in doc.walk() if isinstance(b, Quote))
    assert quote.blocks[0].text == "A harbour is only as good as its people."
    box = next(b for b in doc.walk() if isinstance(b, Box))
    assert [type(b).__name__ for b in box.blocks] == ["Paragraph", "ListBlock"]
    image = next(b for b in doc.walk() if isinstance(b, Image))
    assert (image.label, image.width, image.pixel_width) == ("Figure\u00a01", 0.6, 1800)
    assert image.alt.startswith("A container ship") and image.source.startswith("Illustration")
    links = [s.href for b in doc.walk() for s in getattr(b, "spans", []) if s.href]
    assert links == ["https://example.org/report", "https://example.com/archive"]


def test_an_unknown_block_kind_in_the_model_is_an_error_not_skipped():
    from paperpress.model import Document

    with pytest.raises(UnknownBlock, match="no markup for a block of kind 'chart_grid'"):
        Document.from_json('{"meta": {}, "blocks": [{"kind": "chart_grid"}]}')


@pytest.mark.parametrize("placement, message", [
    ("![Alt](images/missing.png \"C\")", "image 'images/missing.png' does not exist"),
    ("![Alt](../outside.png \"C\")", "image '../outside.png' is outside"),
    ("![Alt](https://example.org/a.png \"C\")", "image 'https://example.org/a.png' is a URL"),
    ("![Alt](images/harbour.gif \"C\")", "an image may be PNG (.png), JPEG"),
    ("![Alt](text.md \"C\")", "image 'text.md' is not in the publication's images/ folder"),
    ("![](images/harbour.png \"C\")", "has no alt text"),
    ("![Alt](images/harbour.png)", "has no caption"),
    ("![Alt](images/fake.png \"C\")", "is named .png but is a JPEG file"),
    ("![Alt](images/bad.svg \"C\")", "links to 'file:///etc/passwd'"),
    ("![Alt](images/harbour.png \"C\"){width=\"5%\"}", "must be a share of the text width"),
    ("![Alt](images/cut.jpg \"C\")", "cannot be read as JPEG: image file is truncated"),
    ("![Alt](images/cmyk.jpg \"C\")", "is a CMYK picture: save it in RGB"),
    ("![Alt](images/doctype.svg \"C\")", "declares a document type"),
    ("![Alt](images/import.svg \"C\")", "has a stylesheet that loads another file"),
    ("![Alt](images/harbour.png \"The *new* quay\")", "holds Markdown italic (*…*)"),
])
def test_an_image_the_editions_cannot_publish_names_the_text_and_line(tmp_path, placement,
                                                                     message):
    import weasyprint  # noqa: F401  (as in the warm worker: it makes Pillow lenient)

    pub = make_publication(tmp_path, "---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n\n"
                           f"# One\n\n{placement}\n", DATA, "C", "S")
    PILImage.new("RGB", (10, 10)).save(pub / "images" / "fake.png", format="JPEG")
    PILImage.new("RGB", (10, 10)).save(pub / "images" / "harbour.gif")
    whole = pub / "images" / "whole.jpg"
    PILImage.new("RGB", (800, 600), (200, 90, 40)).save(whole, quality=95)
    (pub / "images" / "cut.jpg").write_bytes(whole.read_bytes()[:3000])
    PILImage.new("CMYK", (10, 10)).save(pub / "images" / "cmyk.jpg")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{}</svg>'
    (pub / "images" / "doctype.svg").write_text(
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"'
        ' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + svg.format(""))
    (pub / "images" / "import.svg").write_text(
        svg.format("<style>@import url(https://example.org/a.css);</style>"))
    (pub / "images" / "bad.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' viewBox="0 0 10 10"><image xlink:href="file:///etc/passwd"/></svg>')
    with pytest.raises(SourceError) as err:
        build_document(pub, TEMPLATES)
    assert str(err.value).startswith(f"{pub / 'text.md'}:10: ")
    assert message in str(err.value)


# -- the HTML edition -------------------------------------------------------------------


def test_the_english_html_carries_every_construct(english_editions):
    html, _ = english_editions
    page = lxml_html.parse(str(html)).getroot()
    assert page.get("lang") == "en"
    assert [li.text_content() for li in page.cssselect("main ul.depth-1 > li > p")] == [
        "Container traffic", "Bulk traffic"]
    assert [li.text_content().strip() for li in page.cssselect("main ol.depth-2 > li")] == [
        "Grain", "Ore"]
    assert page.cssselect("blockquote p")[0].text_content().startswith("A harbour is only")
    box = page.cssselect("aside.box")[0]
    assert box.get("id") == "box-1" and "Box\u00a01" in box.cssselect(".box-title")[0].text_content()
    caption = page.cssselect("#tbl-1 caption")[0].text_content()
    assert caption == "Table\u00a01 Moves by terminal"
    assert [td.get("class") for td in page.cssselect("#tbl-1 tbody tr")[0]] == [
        "left", "right", "right"]
    assert page.cssselect("#tbl-2 thead th")[1].text_content() == "2024"
    assert page.cssselect("#fig-1 img")[0].get("alt").startswith("A container ship")
    assert page.cssselect("#fig-1 img")[0].get("src").startswith("data:image/png;base64,")
    assert [a.get("href") for a in page.cssselect("a.link")] == [
        "https://example.org/report", "https://example.com/archive"]
    # A footnote: a call that links to the note, and a note that links back.
    call = page.cssselect("a.fn-call")[0]
    assert call.get("href") == "#fn-1" and call.text_content() == "1"
    note = page.cssselect("#fn-1")[0]
    assert "twenty-foot equivalent" in note.text_content()
    assert note.cssselect("a.back")[0].get("href") == "#fnref-1"
    xrefs = {a.text_content(): a.get("href") for a in page.cssselect("a.xref")}
    assert xrefs["(see Box\u00a01)"] == "#box-1" and xrefs["Table\u00a01"] == "#tbl-1"
    assert xrefs["(see “Overview”)"] == "#sec-1"


def test_no_chinese_word_in_an_english_edition(english_editions):
    html, pdf = english_editions
    body = lxml_html.parse(str(html)).getroot().cssselect("body")[0]
    text = body.text_content() + "".join(pdf_pages(pdf))
    assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text)


def test_no_english_interface_word_in_a_chinese_edition(chinese_editions):
    html, pdf = chinese_editions
    text = "".join(pdf_pages(pdf))
    for word in ("Contents", "Table", "Figure", "Box", "Source", "Notes", "see"):
        assert word not in text


# -- the PDF edition --------------------------------------------------------------------


def test_a_footnote_is_printed_at_the_foot_of_the_page_that_calls_it(english_editions):
    _, pdf = english_editions
    pages = pdf_pages(pdf)
    calling = next(p for p in pages if "Traffic grew again" in p)
    body, _, foot = calling.rpartition("1. Measured in twenty-foot")
    assert foot, "the note is not on the page that calls it"
    assert "Traffic grew again" in body


def test_links_in_the_pdf_are_clickable_and_go_where_the_text_says(english_editions):
    from pypdf import PdfReader

    _, pdf = english_editions
    uris = [a.get_object()["/A"].get("/URI") for page in PdfReader(str(pdf)).pages
            for a in page.get("/Annots") or [] if "/A" in a.get_object()]
    assert "https://example.org/report" in uris and "https://example.com/archive" in uris


def test_the_english_pdf_is_set_in_a_latin_face_and_the_chinese_in_noto_cjk_sc(
        english_editions, chinese_editions):
    def fonts(pdf):
        return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                              check=True).stdout

    en, zh = fonts(english_editions[1]), fonts(chinese_editions[1])
    assert "Noto-Serif" in en and "CJK" not in en
    assert "NotoSerifCJKsc" in zh.replace("-", "").replace(" ", "") or "CJK" in zh


def test_the_chinese_pdf_carries_the_box_the_tables_and_the_note(chinese_editions):
    _, pdf = chinese_editions
    text = squash("".join(pdf_pages(pdf)))
    assert "专栏1绿色港口" in text and "表1主要指标" in text and "表2集装箱吞吐量" in text
    assert "按可比价格计算。" in text and "资料来源：港务局" in text


def test_the_brief_quotes_a_whole_lead_sentence_through_links_notes_and_references(tmp_path):
    text = ("---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n\n# One\n\n## Works\n\n"
            "**Three works[^a] were upgraded.** They cost {{ teu@2025 }} in all.\n\n"
            "**2026 will bring a [new plan](https://example.org/p).** It is due in June.\n\n"
            "**Complaints fell {{ see one }}.** Fewer were made.\n\n"
            "**The plan is summarised in {{ ref tbl }}.** It has 12 points.\n\n"
            "| a |\n|---|\n| 1 |\n\nTable: Plan {#tbl}\n\n[^a]: Treatment works.\n")
    pub = make_publication(tmp_path, text.replace("# One", "# One {#one}"), DATA, "C", "S")
    (pub / "publication.yaml").write_text("brief:\n  title: At a glance\n", encoding="utf-8")
    points = build_document(pub, TEMPLATES).brief.chapters[0].sections[0].points
    assert [(p.lead, p.evidence) for p in points] == [
        ("Three works were upgraded.", " They cost 1,550.50\u00a0million TEU in all."),
        ("2026 will bring a new plan.", " It is due in June."),
        ("Complaints fell.", " Fewer were made.")]


def test_a_table_or_chart_in_one_unit_refuses_a_value_in_another(tmp_path):
    pub = make_publication(tmp_path, EN_TEXT, DATA + "staff,2024,410,employees,Staff,1\n"
                           "staff,2025,421,employees,Staff,1\n", "C", "S")
    (pub / "tables" / "throughput.yaml").write_text(
        "caption: C\nsource: S\ndata: [traffic.csv]\nrows: [teu, staff]\n"
        "columns: ['2024', '2025']\nunit: million TEU\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build_document(pub, TEMPLATES)
    assert str(err.value).startswith(f"{pub / 'tables' / 'throughput.yaml'}:4: row 'staff' is"
                                     " in 'employees' (traffic.csv line 4), not in the table's"
                                     " unit 'million TEU'")
    (pub / "tables" / "throughput.yaml").write_text(TABLE_SPEC.format(caption="C", source="S"),
                                                    encoding="utf-8")
    (pub / "charts" / "mix.yaml").write_text(
        "caption: C\nkind: column\nunit: million TEU\ndata: [traffic.csv]\nsource: S\n"
        "series:\n  - value: teu@2025\n  - value: teu@2025 - staff@2025\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build_document(pub, TEMPLATES)
    assert str(err.value).startswith(f"{pub / 'charts' / 'mix.yaml'}:8: series item 2:"
                                     " 'staff@2025' is in 'employees'")


@pytest.mark.parametrize("where, text, message", [
    ("text.md", "---\ntitle: T\nsubtitel: S\nissuer: I\ndate: D\nlang: en\n---\n\n# One\n",
     ":3: front matter 'subtitel' is not a field"),
    ("text.md", "---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n\n# One\n\n"
                "{{ key-figures }}\n", ":10: {{ key-figures }} shows the figures"),
    ("charts/c.yaml", "caption: C\nkind: column\nunit: million TEU\ndata: [traffic.csv]\n"
                      "source: S\nalt_text: A\nseries:\n  - value: teu@2025\n",
     ":6: 'alt_text' is not a chart setting"),
    ("charts/c.yaml", "caption: C\nkind: column\nunit: million TEU\ndata: [traffic.csv]\n"
                      "source: S\nseries:\n  - value: teu@2025\n    colour: red\n",
     ":8: series item 1: 'colour' is not a series setting"),
])
def test_a_misspelt_or_empty_setting_is_named_not_ignored(tmp_path, where, text, message):
    pub = make_publication(tmp_path, "---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n\n"
                           "# One\n", DATA, "C", "S")
    (pub / where).write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build_document(pub, TEMPLATES)
    assert str(err.value).startswith(f"{pub / where}{message}")


def test_a_phone_photo_turned_by_its_exif_note_stands_upright_in_every_edition(tmp_path):
    from paperpress.wordbody import upright

    pub = make_publication(tmp_path, "---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n\n"
                           "# One\n\n![A quay](images/phone.jpg \"Quay\")\n", DATA, "C", "S")
    photo = PILImage.new("RGB", (2600, 2000), (20, 120, 60))
    exif = photo.getexif()
    exif[0x0112] = 6  # stored sideways: turn 90° clockwise to show
    photo.save(pub / "images" / "phone.jpg", exif=exif)
    image = build_document(pub, TEMPLATES).images[0]
    assert (image.pixel_width, image.pixel_height) == (2000, 2600)
    assert PILImage.open(upright(pub / "images" / "phone.jpg")).size == (2000, 2600)


def test_a_link_scheme_in_capitals_is_a_link_and_a_reversed_period_is_refused(tmp_path):
    pub = make_publication(tmp_path, "---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n\n"
                           "# One\n\nSee <HTTPS://EXAMPLE.ORG/A>.\n", DATA, "C", "S")
    spans = build_document(pub, TEMPLATES).blocks[1].spans
    assert [s.href for s in spans if s.href] == ["HTTPS://EXAMPLE.ORG/A"]
    (pub / "data" / "traffic.csv").write_text(DATA + "teu,2025/2024,1,x,y,z\n",
                                              encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build_document(pub, TEMPLATES)
    assert "traffic.csv:4: column 'period': '2025/2024' ends before it starts" in str(err.value)
