"""Every footnote reaches the PDF, on the page of its call or a later one.

The page below is set so that WeasyPrint 70 carries note 1 to the next page to make room
for the line that calls note 2 (it would otherwise have to leave that paragraph's first
line alone at the foot of the page); without the patch in weasy.py
(carry_footnotes_after_a_carried_one) note 2 was then printed nowhere. Line heights are in
pixels and the lines broken by hand, so the layout does not depend on the fonts' metrics.
"""

import subprocess

import pytest

from paperpress.pdf import render_pdf

# 170 px of page area: eight 20 px lines, or seven and one 20 px note.
PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><style>
@page {{ size: 320px 210px; margin: 20px; @footnote {{ margin: 0; padding: 0 }} }}
body {{ margin: 0; font-size: 12px; line-height: 20px }}
p {{ margin: 0; orphans: 2; widows: 2 }}
.note {{ float: footnote; line-height: 20px }}
::footnote-call {{ content: "[" counter(footnote) "]"; vertical-align: baseline }}
</style></head><body>
<p>{w[0]}<span class="note">{notes[0]}</span><br>{w[1]}<br>{w[2]}<br>{w[3]}</p>
<p>{w[4]}<br>{w[5]}</p>
<p>{w[6]}<br>{w[7]}<span class="note">{notes[1]}</span> {w[8]}<span class="note">{notes[2]}</span>
<br>{w[9]}<br>{w[10]}</p>
</body></html>
"""

LANGUAGES = {
    "en": ("one two three four five six seven eight nine ten eleven".split(),
           ["Alpha note text.", "Bravo note text.", "Charlie note text."]),
    "zh-CN": ("一 二 三 四 五 六 七 八 九 十 十一".split(),
              ["甲注释文字。", "乙注释文字。", "丙注释文字。"]),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_notes_called_after_a_carried_note_are_printed(tmp_path, lang):
    words, notes = LANGUAGES[lang]
    html = tmp_path / "notes.html"
    html.write_text(PAGE.format(lang=lang, w=words, notes=notes), encoding="utf-8")
    render_pdf(html, tmp_path / "notes.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "notes.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:-1]

    def page_of(needle: str) -> int | None:
        return next((n for n, page in enumerate(pages, 1) if needle in page), None)

    # The layout this test is about: notes 2 and 3 are called on page 1, where note 1
    # (called there too) was carried over to make room for their line.
    assert page_of(f"{words[8]}[3]") == 1 and page_of(f"{words[0]}[1]") == 1, pages
    assert page_of(notes[0]) == 2, pages
    for n, note in enumerate(notes, 1):
        call = page_of(f"[{n}]")
        assert page_of(note) is not None, f"note {n} is printed nowhere: {pages}"
        assert page_of(note) >= call, f"note {n} stands before its call: {pages}"
    assert [page_of(note) for note in notes] == [2, 2, 2]
    assert pages[1].index(notes[0]) < pages[1].index(notes[1]) < pages[1].index(notes[2])
