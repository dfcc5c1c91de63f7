"""The screen (tagged) PDF editions as a screen reader and a PDF/UA checker read them: the
machine-checkable part of PDF/UA-1 (the pdfua package) finds nothing in any published
screen edition, and what WeasyPrint leaves out (running heads as artifacts, header scopes,
the PDF/UA identification) is there, read back with pikepdf."""

from __future__ import annotations

import shutil

import pikepdf
import pytest

from paperpress.accessibility import finish_tagged_pdf, pdfua_findings
from paperpress.pdf import PdfEdition, render_pdf
from paperpress.preflight import preflight

SCREEN = PdfEdition(variant="pdf/a-3u", tagged=True)
STYLE = ('@page { size: A5; margin: 20mm; @top-left { content: "运行标题 Running head" }'
         ' @bottom-center { content: counter(page) } }'
         ' body { font-family: "Noto Serif CJK SC"; font-size: 11pt }')
TABLE = ("<table><caption>表1 货物吞吐量</caption>"
         "<thead><tr><th>指标</th><th>2022年</th><th>2023年</th></tr></thead>"
         "<tbody><tr><th>集装箱</th><td>1.0</td><td>1.2</td></tr>"
         "<tr><th>散货</th><td>3.4</td><td>3.9</td></tr></tbody></table>")


def render(tmp_path, body: str, edition: PdfEdition = SCREEN, name: str = "doc"):
    html = tmp_path / f"{name}.html"
    html.write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                    f"<title>测试文件</title><style>{STYLE}</style></head>"
                    f"<body><h1>第一章</h1><p>正文。</p>{body}</body></html>", encoding="utf-8")
    pdf = tmp_path / f"{name}.pdf"
    render_pdf(html, pdf, tmp_path / f"{name}.layout.json", edition)
    return pdf


def rules(found) -> set[str]:
    return {message.split()[0] for _, message in found}


def marked_outside_the_tree(pdf: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(page, MCID) of content marked for a structure element the tree does not hold."""
    root = pdf.Root.StructTreeRoot
    in_tree, todo = set(), [root.K]
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Array):
            todo.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and node.objgen not in in_tree:
            in_tree.add(node.objgen)
            todo.append(node.get("/K"))
    nums = root.ParentTree.Nums
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    found = []
    for number, page in enumerate(pdf.pages, 1):
        marks = entries.get(int(page.obj.get("/StructParents", -1)))
        for mcid, element in enumerate(marks if isinstance(marks, pikepdf.Array) else []):
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in in_tree:
                found.append((number, mcid))
    return found


def header_scopes(pdf: pikepdf.Pdf) -> list[str]:
    scopes = []
    for element in pdf.objects:
        if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/TH":
            attributes = element.get("/A")
            scopes.append(str(attributes.get("/Scope")) if attributes is not None else "None")
    return scopes


def test_a_tagged_pdf_with_running_heads_and_a_table_passes_the_pdfua_check(tmp_path):
    pdf_path = render(tmp_path, TABLE)
    assert pdfua_findings(pdf_path) == []
    with pikepdf.open(pdf_path) as pdf:
        assert marked_outside_the_tree(pdf) == []
        assert sorted(header_scopes(pdf)) == ["/Column"] * 3 + ["/Row"] * 2
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        page = pdf.pages[0].obj.Contents.read_bytes()
    assert 'pdfuaid:part="1"' in xmp and 'pdfaid:part="3"' in xmp
    # PDF/A-3 takes the PDF/UA identification only with its schema described.
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
    assert page.count(b"/Artifact\n<</Type /Pagination>>\nBDC") == 2  # head, page number


def test_what_weasyprint_alone_writes_fails_the_check_and_the_finishing_fixes_it(
        tmp_path, monkeypatch):
    """The same document without finish_tagged_pdf: pdfua names the table and the missing
    identification, and the running heads hang outside the structure tree."""
    import paperpress.accessibility as accessibility

    monkeypatch.setattr(accessibility, "finish_tagged_pdf", lambda path: None)
    pdf_path = render(tmp_path, TABLE)
    assert rules(pdfua_findings(pdf_path)) == {"UA-15-003", "UA-28-004"}
    with pikepdf.open(pdf_path) as pdf:
        assert len(marked_outside_the_tree(pdf)) == 2
    monkeypatch.undo()
    finish_tagged_pdf(pdf_path)
    assert pdfua_findings(pdf_path) == []


def test_finishing_gives_the_same_bytes_every_time(tmp_path):
    import paperpress.accessibility as accessibility

    original = accessibility.finish_tagged_pdf
    accessibility.finish_tagged_pdf = lambda path: None
    try:
        pdf_path = render(tmp_path, TABLE)
    finally:
        accessibility.finish_tagged_pdf = original
    copy = tmp_path / "copy.pdf"
    shutil.copy(pdf_path, copy)
    finish_tagged_pdf(pdf_path)
    finish_tagged_pdf(copy)
    assert pdf_path.read_bytes() == copy.read_bytes()


def test_a_header_cell_keeps_the_scope_it_was_given(tmp_path):
    pdf_path = render(tmp_path, TABLE)
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        th = next(e for e in pdf.objects
                  if isinstance(e, pikepdf.Dictionary) and e.get("/S") == "/TH")
        th.A.Scope = pikepdf.Name.Both
        pdf.save(pdf_path)
    finish_tagged_pdf(pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        assert "/Both" in header_scopes(pdf)


def test_header_scopes_follow_the_cells_the_html_ties_them_to(tmp_path):
    """A header in a row of data cells that the HTML makes a column header (scope="col"):
    the data cells below it name it, so it heads its column, not its row."""
    pdf_path = render(tmp_path, '<table><thead><tr><th>指标</th><th>数值</th></tr></thead>'
                                '<tbody><tr><th scope="row">集装箱</th><td>1.0</td></tr>'
                                '<tr><td>散货</td><th scope="col">小计</th></tr>'
                                '<tr><td>件杂货</td><td>3.9</td></tr></tbody></table>')
    with pikepdf.open(pdf_path) as pdf:
        scopes = {}
        for element in pdf.objects:
            if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/TH":
                scopes[str(element.ID)] = str(element.A.Scope)
    assert sorted(scopes.values()) == ["/Column", "/Column", "/Column", "/Row"]
    assert pdfua_findings(pdf_path) == []


def test_a_figure_without_alternative_text_fails_the_preflight_in_one_line(tmp_path):
    """(WeasyPrint refuses to tag an image without alt: the text is taken out after.)"""
    svg = ("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='40'"
           " height='20'><rect width='40' height='20' fill='black'/></svg>")
    pdf_path = render(tmp_path, f'<figure><img src="{svg}" alt="黑色矩形"></figure>')
    assert pdfua_findings(pdf_path) == []
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        figure = next(e for e in pdf.objects
                      if isinstance(e, pikepdf.Dictionary) and e.get("/S") == "/Figure")
        del figure.Alt
        pdf.save(pdf_path)
    found = [f for f in preflight(pdf_path)[0] if f.check == "accessibility"]
    assert len(found) == 1 and "UA-13-004" in str(found[0])
    assert found[0].page == 1 and "\n" not in str(found[0])
    assert "Figure has neither /Alt nor /ActualText" in str(found[0])


def test_the_press_edition_is_not_tagged_and_not_checked(tmp_path):
    pdf_path = render(tmp_path, TABLE, PdfEdition(variant="pdf/x-4"), name="press")
    with pikepdf.open(pdf_path) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert "pdfuaid" not in pdf.Root.Metadata.read_bytes().decode("utf-8")
    assert not [f for f in preflight(pdf_path)[0] if f.check == "accessibility"]


# The published screen editions ------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("edition", ["whitepaper.pdf", "brief.pdf"])
@pytest.mark.parametrize("pub", ["hunan-bri-2023", "northwind-harbour-2025", "bulletin-zh"])
def test_every_published_screen_edition_passes_the_pdfua_check(published, pub, edition):
    pdf_path = published / "output" / pub / edition
    assert pdfua_findings(pdf_path) == []
    with pikepdf.open(pdf_path) as pdf:
        assert marked_outside_the_tree(pdf) == []
        assert str(pdf.Root.Lang) and pdf.Root.ViewerPreferences.DisplayDocTitle
        assert "pdfuaid:part" in pdf.Root.Metadata.read_bytes().decode("utf-8")
