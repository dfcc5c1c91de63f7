"""A missing intermediate clears what is made from it, and only that (paperpress/stale.py)."""

from pathlib import Path

from paperpress.stale import (MADE_FROM_MODEL, MADE_FROM_PNG, MADE_FROM_SVG,
                              clear_orphaned_products)

BUILT = ("whitepaper.html", "whitepaper.pdf", "whitepaper.layout.json", "whitepaper.docx",
         "whitepaper.preflight.txt", "release.json", "crosscheck.txt")


def _build(tmp_path: Path) -> Path:
    build = tmp_path / "build" / "pub"
    build.mkdir(parents=True)
    for name in BUILT:
        (build / name).write_text("x")
    (build / "document.json").write_text("{}")
    return build


def _intermediates(tmp_path: Path) -> dict:
    return {tmp_path / "build/pub/document.json": MADE_FROM_MODEL,
            tmp_path / "figures/chart.svg": MADE_FROM_SVG,
            tmp_path / "figures/images/map.png": MADE_FROM_PNG}


def test_a_picture_never_drawn_for_word_leaves_the_web_edition_and_pdfs(tmp_path):
    build = _build(tmp_path)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures/chart.svg").write_text("<svg/>")
    cleared = {p.name for p in clear_orphaned_products(build, _intermediates(tmp_path))}
    assert cleared == {"whitepaper.docx", "release.json", "crosscheck.txt"}
    assert (build / "whitepaper.html").exists() and (build / "whitepaper.pdf").exists()


def test_a_missing_model_clears_every_edition(tmp_path):
    build = _build(tmp_path)
    (build / "document.json").unlink()
    for f in ("figures/chart.svg", "figures/images/map.png"):
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("x")
    cleared = {p.name for p in clear_orphaned_products(build, _intermediates(tmp_path))}
    assert cleared == set(BUILT)


def test_nothing_missing_clears_nothing(tmp_path):
    build = _build(tmp_path)
    for f in ("figures/chart.svg", "figures/images/map.png"):
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("x")
    assert clear_orphaned_products(build, _intermediates(tmp_path)) == []
