"""The pages of the editions as a reader sees them: the pages tests/reference-pages/
pages.yaml declares, rendered from a fresh build, against the reviewed reference images
beside it (tools/pageimages.py). A changed page fails, naming the diff image written for
it under build/page-diffs/; `make update-page-references` takes a change in deliberately."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))

import pageimages as pi  # noqa: E402

pytestmark = pytest.mark.e2e


def test_the_declared_pages_look_as_their_reviewed_references(published):
    failures = pi.check_pages(published)
    assert not failures, "\n".join(failures)


def test_the_declared_pages_name_real_pages_and_the_references_stay_small():
    specs = pi.declared_pages()
    assert {s.pub for s in specs} >= {"hunan-bri-2023", "northwind-harbour-2025", "bulletin-zh"}
    total = sum(p.stat().st_size for p in pi.REFERENCES.rglob("*.png"))
    assert total < 3_000_000


def _altered_page(published, tmp_path):
    """The bulletin's white paper with one character of its third page's body text
    changed, rendered as the build renders it; returns the page to compare."""
    from paperpress.pdf import PdfEdition, render_pdf

    build = published / "build" / "bulletin-zh"
    html = (build / "whitepaper.html").read_text(encoding="utf-8")
    layout = json.loads((build / "whitepaper.layout.json").read_text(encoding="utf-8"))
    body = sorted((line[4] for line in layout["pages"][2]["lines"] if line[5] == "page-area"),
                  key=len)[-1]
    for start in range(len(body) - 6):
        piece = body[start:start + 6]
        if re.fullmatch(r"[\u4e00-\u9fff]{6}", piece) and html.count(piece) == 1:
            break
    else:
        pytest.fail("no run of six CJK characters found once on page 3")
    new = "口" if piece[3] != "口" else "日"
    altered = tmp_path / "whitepaper.html"
    altered.write_text(html.replace(piece, piece[:3] + new + piece[4:]), encoding="utf-8")
    pdf = tmp_path / "whitepaper.pdf"
    render_pdf(altered, pdf, None, PdfEdition(variant="pdf/a-3u", tagged=True))
    return pi.Page("bulletin-zh", "whitepaper.pdf", "p3", 3, pdf)


def test_a_page_with_one_character_changed_fails_with_a_diff_image(published, tmp_path):
    page = _altered_page(published, tmp_path)
    diffs = tmp_path / "page-diffs"
    failure = pi.check_page(page, tmp_path / "pages", diffs)
    assert failure is not None and "pixels changed" in failure
    diff = diffs / "bulletin-zh" / "whitepaper-p3.png"
    assert str(diff) in failure and "update-page-references" in failure
    with Image.open(diff) as image, Image.open(page.reference) as reference:
        # reference | now | changes in red, side by side
        assert image.width > 3 * reference.width and image.height == reference.height
        changes = np.asarray(image.crop((2 * reference.width + 20, 0, image.width,
                                         image.height)).convert("RGB"))
    assert (changes == (220, 0, 0)).all(axis=2).any()  # the change, in red


def test_the_same_page_rendered_again_passes(published, tmp_path):
    pdf = published / "output" / "bulletin-zh" / "whitepaper.pdf"
    page = pi.Page("bulletin-zh", "whitepaper.pdf", "p3", 3, pdf)
    assert pi.check_page(page, tmp_path / "pages", tmp_path / "page-diffs") is None


def _shifted(pdf, number, quarter_pixels: tuple[int, int], tmp_path):
    """Page ``number`` at DPI, drawn ``quarter_pixels`` quarters of a pixel aside: rendered
    at four times the resolution and averaged down from that offset (borders trimmed)."""
    root = tmp_path / f"hi-{number}"
    if not root.with_suffix(".png").exists():
        subprocess.run(["pdftoppm", "-r", str(4 * pi.DPI), "-png", "-singlefile", "-f",
                        str(number), "-l", str(number), str(pdf), str(root)], check=True)
    with Image.open(root.with_suffix(".png")) as hi:
        hi = hi.convert("RGB")
        w, h = hi.width // 4 - 1, hi.height // 4 - 1
        dx, dy = quarter_pixels
        image = hi.crop((dx, dy, dx + 4 * w, dy + 4 * h)).resize((w, h), Image.BOX)
    return image.crop((3, 3, w - 3, h - 3))


def test_antialiasing_a_quarter_pixel_aside_passes_and_half_a_pixel_fails(published, tmp_path):
    """The tolerance: the same page drawn at other sub-pixel positions."""
    pdf = published / "output" / "hunan-bri-2023" / "whitepaper.pdf"
    still = _shifted(pdf, 4, (0, 0), tmp_path)
    assert not pi.compare(still, _shifted(pdf, 4, (1, 0), tmp_path)).changed
    assert not pi.compare(still, _shifted(pdf, 4, (0, 1), tmp_path)).changed
    assert pi.compare(still, _shifted(pdf, 4, (2, 0), tmp_path)).changed
