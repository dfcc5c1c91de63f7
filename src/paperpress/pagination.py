"""Figures that do not leave a page half empty: the page floats WeasyPrint does not have.

A figure (chart or picture) or a short table is never parted across pages; when it does not
fit at the bottom of a page, WeasyPrint moves it whole to the next page and leaves the rest of
the page empty, a fifth or a third of it at times. A book setter, or LaTeX with its floats,
lets the text go on and puts the figure at the top of the next page. ``paginate`` does the
same after the fact: it lays the edition out, looks at the pages, and for each page left more
empty than the figure that opens the next page allows (its ``--float-gap``, a share of the
text area, set in the edition's stylesheet), either

- shrinks the figure's picture to fit when it is only slightly too tall (by at most its
  ``--float-shrink``, a share of the picture's height), or
- moves the figure after the paragraphs that follow it, as many as fill the gap, so that
  they fill the page and the figure follows them on the next one;

then lays the edition out again, at most ``PASSES`` times, and keeps the layout with the
least empty space. A figure only moves past paragraphs, lists, quotes and the headings of
sections within its chapter (as a book's floats do: a figure that ends a section may head the
next page after the next section's heading and opening text, rather than leave a page a
quarter empty), never past a chapter heading (the main text's h2: the
document's one h1 is its title), another figure, table or box (figures and
tables stay in the order they are numbered in), and only among the blocks of the main text.
It never moves past a heading without the text after it. The numbers
and cross-references the model wrote stay as they are: the figure keeps its label.

Nothing is laid out twice unless something moved. Every move is reported, for the layout
file the preflight reads.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Callable

# Layouts at most, the first included.
PASSES = 4

# The stylesheet's settings (custom properties) on a block of the main text: a block with
# --float-gap may move; --float-shrink lets its picture be made smaller.
GAP, SHRINK = "float-gap", "float-shrink"
# A table whose last rows would make a last page of their own, at most this share of it,
# is set tight (class "tight") when that saves the page.
TAIL = "tail-page"
# Each setting's shares (from, to), what it is a share of and why it stops there: the
# stylesheets are checked against these before a build (stylesheets.check_settings), so a
# name or a value not here stops it rather than turning the setting off or running wild.
SETTINGS = {
    GAP: (0.0, 1.0, "a share of the page's height", ""),
    SHRINK: (0.0, 0.4, "a share of the picture's height",
             " (a chart made smaller still would have text too small to read)"),
    TAIL: (0.0, 1.0, "a share of the page's height", ""),
}
# What a figure may move past.
_TEXT = {"p", "ul", "ol", "blockquote", "dl"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# A chapter's heading, in the main text (the document's title, on the cover, is its h1).
_CHAPTER = "h2"
_SECTION_HEADINGS = _HEADINGS - {"h1", _CHAPTER}
_MOVABLE = _TEXT | _SECTION_HEADINGS


@dataclass
class _Gap:
    page: int            # 1-based number of the page left empty
    empty: float         # its empty fraction
    element_id: str      # the figure that went over
    action: str          # "shrink", "defer", or "" when neither can be done
    detail: dict


def paginate(source: str, lay_out: Callable[[str], object]):
    """Lay ``source`` (an HTML edition) out with ``lay_out`` (HTML text -> WeasyPrint
    document), moving or shrinking figures that leave a page empty. Returns the document
    and what was done, one line a change.

    One laid-out document at a time is held (a long edition's layout is a few hundred MiB):
    a layout is let go once it is read, and the best text laid out again at the end in the
    rare case a later pass did worse."""
    document = lay_out(source)
    gaps = find_gaps(document)
    text, done = source, []
    best = (_badness(document, gaps), text, done)
    for _ in range(PASSES - 1):
        actionable = [gap for gap in gaps if gap.action]
        if not actionable:
            break
        changed, notes = _apply(text, actionable)
        if not notes:
            break
        text, done = changed, done + notes
        document = None
        document = lay_out(text)
        gaps = find_gaps(document)
        badness = _badness(document, gaps)
        if badness < best[0]:
            best = (badness, text, list(done))
    _, best_text, best_done = best
    if best_text is not text:
        document = None
        document = lay_out(best_text)
    return _without_tail_page(document, best_text, best_done, lay_out)


def _without_tail_page(document, text: str, done: list[str], lay_out):
    """The layout whose last page holds nothing but the last rows of a table (a share of the
    page at most the table's --tail-page setting) laid out again with that table set tight
    (class ``tight``, which the stylesheet defines), kept when that saves the page."""
    tail = _tail_table(document)
    if tail is None:
        return document, done
    index, share = tail
    import tinyhtml5

    root = tinyhtml5.parse(text, namespace_html_elements=False)
    main = root.find(".//main")
    table = list(main)[index]
    table.set("class", (table.get("class") or "") + " tight")
    pages = len(document.pages)
    document = None
    tighter = lay_out("<!DOCTYPE html>\n" + ET.tostring(root, encoding="unicode", method="html"))
    if len(tighter.pages) < pages:
        return tighter, done + [f"the last page held only {share:.0%} of a page of a table's"
                                " last rows: the table set tight to end a page sooner"]
    tighter = None
    return lay_out(text), done


def _tail_table(document) -> tuple[int, float] | None:
    """(index among the main text's elements, share of the page) of the table whose last
    rows alone make up the last page, when that share is at most its --tail-page."""
    pages = [p._page_box for p in document.pages]
    if len(pages) < 2:
        return None
    last, before = _main_blocks(pages[-1]), _main_blocks(pages[-2])
    if len(last) != 1 or not before or last[0].element is not before[-1].element:
        return None
    block = last[0]
    allowed = setting(block, TAIL)
    top, bottom = _area(pages[-1])
    share = (_bottom(block) - top) / (bottom - top)
    if allowed is None or share > allowed:
        return None
    parent = _main_element(pages[-1])
    return list(parent).index(block.element), share


def _badness(document, gaps: list[_Gap]) -> tuple:
    """How badly a layout leaves pages empty: the empty space of the pages a figure left
    (``gaps``, found in it), then the number of pages."""
    return (round(sum(g.empty for g in gaps), 3), len(document.pages))


# ---------------------------------------------------------------------------------------
# Reading the layout


def _main_blocks(page_box):
    """The boxes of the main text's blocks laid out on a page (fragments included)."""
    stack = [page_box.children[0]] if page_box.children else []
    while stack:
        box = stack.pop(0)
        if getattr(box, "element_tag", None) == "main":
            return [c for c in box.children if c.is_in_normal_flow()
                    and getattr(c, "element", None) is not None]
        stack = [c for c in getattr(box, "children", None) or []
                 if c.is_in_normal_flow()] + stack
    return []


def _main_element(page_box):
    stack = [page_box]
    while stack:
        box = stack.pop(0)
        if getattr(box, "element_tag", None) == "main":
            return box.element
        stack = list(getattr(box, "children", None) or []) + stack
    return None


def setting(box, name: str) -> float | None:
    """A share the stylesheet sets on ``box`` as the custom property ``--<name>`` (15% or
    0.15), or None."""
    try:
        tokens = box.style["__" + name.replace("-", "_")]
    except KeyError:
        return None
    for token in tokens or ():
        if token.type == "percentage":
            return token.value / 100
        if token.type == "number":
            return token.value
    return None


def _is_float(box) -> bool:
    return setting(box, GAP) is not None and bool(box.element.get("id"))


def _area(page_box) -> tuple[float, float]:
    """Top and bottom of a page's text area, less the footnotes drawn at its foot."""
    from weasyprint.formatting_structure import boxes

    top = page_box.content_box_y()
    bottom = top + page_box.height
    for child in page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox) and child.children:
            bottom = min(bottom, child.position_y)
    return top, bottom


def _bottom(box) -> float:
    return box.position_y + box.margin_top + box.border_height()


def _images(box):
    if getattr(box, "element_tag", None) == "img":
        yield box
    for child in getattr(box, "children", None) or []:
        yield from _images(child)


def find_gaps(document) -> list[_Gap]:
    """The pages left more empty than the figure that opens the next page allows (its
    --float-gap), with what to do about each (nothing, when the figure is too tall to
    shrink and a heading, a figure or a table follows it)."""
    pages = [p._page_box for p in document.pages]
    gaps = []
    for index in range(len(pages) - 1):
        here, after = _main_blocks(pages[index]), _main_blocks(pages[index + 1])
        if not here or not after:
            continue
        top, bottom = _area(pages[index])
        used = max(_bottom(b) for b in here)
        empty = (bottom - used) / (bottom - top)
        # The next page opens with the figure, or with the headings kept with it.
        lead = 0
        while lead < len(after) and after[lead].element_tag in _SECTION_HEADINGS:
            lead += 1
        if lead >= len(after) or not _is_float(after[lead]):
            continue
        figure = after[lead]
        if empty <= setting(figure, GAP):
            continue
        room = bottom - used
        needed = sum(b.margin_height() for b in after[:lead + 1])
        over = needed - room
        pictures, shrink = list(_images(figure)), setting(figure, SHRINK) or 0
        if len(pictures) == 1 and over <= shrink * pictures[0].height:
            picture = pictures[0]
            scale = (picture.height - over - 2) / picture.height
            gaps.append(_Gap(index + 1, empty, figure.element.get("id"), "shrink",
                             {"width_px": round(picture.width * scale, 2),
                              "scale": round(scale, 3)}))
            continue
        # Move it past the blocks that follow it, as many as fill the gap.
        following, height = [], 0.0
        for box in after[lead + 1:]:
            if box.element_tag not in _MOVABLE or height >= room:
                break
            following.append(box)
            height += box.margin_height()
        while following and following[-1].element_tag in _HEADINGS:
            following.pop()
        gaps.append(_Gap(index + 1, empty, figure.element.get("id"),
                         "defer" if following else "", {"past": len(following)}))
    return gaps


# ---------------------------------------------------------------------------------------
# Changing the HTML


def _apply(source: str, gaps: list[_Gap]) -> tuple[str, list[str]]:
    """The edition's HTML with the figures of ``gaps`` moved or shrunk."""
    import tinyhtml5

    root = tinyhtml5.parse(source, namespace_html_elements=False)
    parents = {child: parent for parent in root.iter() for child in parent}
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    notes = []
    for gap in gaps:
        element = by_id.get(gap.element_id)
        if element is None:
            continue
        parent = parents[element]
        if not gap.action:
            continue
        if gap.action == "shrink":
            picture = element.find(".//img")
            style = (picture.get("style") or "").rstrip("; ")
            picture.set("style", (style + "; " if style else "")
                        + f"width: {gap.detail['width_px']}px")
            notes.append(f"page {gap.page} was {gap.empty:.0%} empty: {gap.element_id} made"
                         f" {gap.detail['scale']:.0%} of its size to fit")
            continue
        siblings = list(parent)
        at = siblings.index(element)
        past = siblings[at + 1:at + 1 + gap.detail["past"]]
        if len(past) < gap.detail["past"] or any(s.tag not in _MOVABLE for s in past):
            continue
        parent.remove(element)
        parent.insert(at + len(past), element)
        notes.append(f"page {gap.page} was {gap.empty:.0%} empty: {gap.element_id} moved"
                     f" after the {len(past)} block(s) that followed it")
    return "<!DOCTYPE html>\n" + ET.tostring(root, encoding="unicode", method="html"), notes
