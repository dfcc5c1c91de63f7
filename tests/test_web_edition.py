"""The web edition (output/<pub>/whitepaper.html) as its readers see it, in a real browser:
Debian's chromium, headless, at a phone's width (390 px) and a desktop's (1280 px), for the
bundled white paper, the English example and the short Chinese bulletin, each built once
as `make publish` builds it.

What is measured is what a reader would check: the page is never wider than the screen,
the key figures stand in one or two columns on a phone, chart text is at least 11 px as
drawn on the screen, titles break between phrases, body text is 16-18 px, there is one
h1, the links to the PDF and Word editions lead to their files, and axe-core finds no
serious or critical accessibility fault."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest


pytestmark = pytest.mark.e2e

PUBS = ["hunan-bri-2023", "northwind-harbour-2025", "bulletin-zh"]
PHONE, DESKTOP = 390, 1280
WIDTHS = [PHONE, DESKTOP]
CASES = [(pub, width) for pub in PUBS for width in WIDTHS]
IDS = [f"{pub}-{width}px" for pub, width in CASES]
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def project(published):
    """The three publications, built once for the session (conftest.published)."""
    return published




def web_edition(project: Path, pub: str) -> Path:
    return (project / "output" / pub / "whitepaper.html").resolve()


def open_page(browser, path: Path, width: int):
    """The page as a phone (390 x 844, a touch screen) or a desktop (1280 x 900) shows it."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 844 if width == PHONE else 900, "deviceScaleFactor": 1,
        "mobile": width == PHONE})
    browser.get(path.as_uri())
    browser.execute_script("return document.fonts.ready")
    return browser


@pytest.fixture(params=CASES, ids=IDS)
def page(request, project, browser):
    pub, width = request.param
    open_page(browser, web_edition(project, pub), width)
    return browser, pub, width


def test_the_page_is_never_wider_than_the_screen(page):
    browser, _, width = page
    scroll_width, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert inner == width
    assert scroll_width <= inner
    # A table wider than the screen scrolls inside its block, which stays in the page.
    blocks = browser.execute_script("""
        return [...document.querySelectorAll('.table-block')].map(b => [
          b.getBoundingClientRect().right, getComputedStyle(b).overflowX, b.tabIndex])""")
    for right, overflow, tab_index in blocks:
        assert right <= width
        assert overflow == "auto" and tab_index == 0  # scrolls, and a keyboard reaches it


def test_key_figures_stand_in_one_or_two_columns_on_a_phone_and_three_on_a_desktop(page):
    browser, _, width = page
    lefts = browser.execute_script("""
        return [...document.querySelectorAll('.key-figure')]
          .map(k => Math.round(k.getBoundingClientRect().left))""")
    assert len(lefts) >= 3
    columns = len(set(lefts))
    assert columns in ((1, 2) if width == PHONE else (3,)), lefts


# The smallest chart text as the screen shows it: each chart's SVG (the one the browser
# chose for this width, img.currentSrc) read for its text sizes in SVG units, times the
# scale it is drawn at (its width on screen over its viewBox width).
CHART_TEXT = r"""
return [...document.querySelectorAll('figure.chart img')].map(img => {
  const svg = new DOMParser().parseFromString(atob(img.currentSrc.split(',')[1]),
                                              'image/svg+xml').documentElement;
  const box = svg.getAttribute('viewBox').trim().split(/[\s,]+/).map(Number);
  const scale = img.getBoundingClientRect().width / box[2];
  const sizes = [...svg.querySelectorAll('text')].map(t => {
    const style = t.getAttribute('style') || '';
    const m = /font-size:\s*([\d.]+)px/.exec(style) || /font:[^;]*?([\d.]+)px/.exec(style)
              || [null, t.getAttribute('font-size')];
    return parseFloat(m[1]);
  }).filter(s => s > 0);
  return [img.closest('figure').id, sizes.length, Math.min(...sizes) * scale,
          img.currentSrc === img.src];
});"""


def test_chart_text_is_at_least_11_px_on_the_screen(page):
    browser, _, width = page
    charts = browser.execute_script(CHART_TEXT)
    assert charts
    for figure_id, texts, smallest, page_chart in charts:
        assert texts > 0, figure_id
        assert smallest >= 11, f"{figure_id}: chart text {smallest:.1f} px at {width} px"
        # A phone is shown the chart drawn for it, a desktop the page's.
        assert page_chart == (width == DESKTOP), figure_id


def test_one_h1_the_title_and_body_text_of_16_to_18_px(page):
    browser, _, _ = page
    h1s, body_sizes = browser.execute_script("""
        return [[...document.querySelectorAll('h1')].map(h => h.textContent),
                [...document.querySelectorAll('main > p')].slice(0, 20)
                  .map(p => parseFloat(getComputedStyle(p).fontSize))]""")
    # The cover's title lines, which may leave out the title's dash or colon.
    assert [re.sub(r"[\W_]", "", h) for h in h1s] == [re.sub(r"[\W_]", "", browser.title)]
    assert body_sizes and all(16 <= s <= 18 for s in body_sizes), body_sizes


def test_chapters_are_h2_and_sections_h3(page):
    browser, _, _ = page
    levels = browser.execute_script(
        "return [...document.querySelectorAll('main > :is(h1, h2, h3, h4)')].map(h => h.tagName)")
    assert levels and "H1" not in levels and levels[0] == "H2"


def test_tables_have_captions_and_header_scopes(page):
    browser, _, _ = page
    tables = browser.execute_script("""
        return [...document.querySelectorAll('.table-block table')].map(t => [
          t.closest('.table-block').getAttribute('aria-labelledby'),
          t.caption ? t.caption.id : null,
          [...t.querySelectorAll('thead th')].map(th => th.getAttribute('scope')),
          [...t.querySelectorAll('tbody th')].map(th => th.getAttribute('scope'))])""")
    assert tables
    for labelled_by, caption_id, head_scopes, row_scopes in tables:
        assert set(head_scopes) == {"col"}
        assert set(row_scopes) <= {"row"}
        if labelled_by:  # a numbered table: its caption names its block
            assert caption_id == labelled_by


def test_the_pdf_and_word_editions_are_linked_and_there(page, project):
    browser, pub, _ = page
    links = browser.execute_script("""
        return [...document.querySelectorAll('nav.editions a')].map(a => [
          a.getAttribute('href'), a.textContent.trim(), a.getBoundingClientRect().width > 0])""")
    hrefs = [href for href, _, _ in links]
    assert hrefs == ["whitepaper.pdf", "whitepaper.docx"]
    folder = web_edition(project, pub).parent
    for href, label, shown in links:
        assert (folder / href).is_file() and (folder / href).stat().st_size > 0, href
        assert label and shown, href


# Quoted terms in a title: “一带一路”, 《…》, 「…」.
QUOTED = r"“[^”]{1,12}”|《[^》]{1,20}》|「[^」]{1,12}」"
TITLE_LINES = r"""
const quoted = new RegExp(arguments[0], 'g'), found = [];
for (const h of document.querySelectorAll('h1, main > h2, main > h3, main > h4')) {
  const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    for (const m of node.data.matchAll(quoted)) {
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      found.push([m[0], tops.size]);
    }
  }
}
const styles = [...document.querySelectorAll('h1, main > h2')].map(h => {
  const s = getComputedStyle(h); return [s.wordBreak, s.textWrap || s.textWrapStyle]; });
return [found, styles];"""


def test_titles_break_between_phrases_never_inside_a_quoted_term(page):
    browser, pub, _ = page
    found, styles = browser.execute_script(TITLE_LINES, QUOTED)
    chinese = CJK.search(browser.title) is not None
    for term, lines in found:
        assert lines == 1, f"{term} is broken over {lines} lines"
    if pub == "hunan-bri-2023":
        assert found, "the white paper's titles quote “一带一路”"
    for word_break, wrap in styles:
        assert "balance" in wrap
        assert word_break == ("keep-all" if chinese else "normal")


def test_axe_finds_no_serious_or_critical_fault(page):
    browser, pub, width = page
    axe = resources.files("axe_core_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    browser.execute_script(axe)
    results = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(done, e => done(String(e)));")
    assert isinstance(results, dict), results
    faults = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
              for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not faults, f"{pub} at {width} px: {faults}"
