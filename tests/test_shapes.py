"""Any shape of publication: the layout setting, a publication without a brief (no brief
editions built or published), without data, charts, key figures or appendix."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from paperpress.errors import SourceError
from paperpress.publication import has_brief, layout_settings, load_config


def _config(tmp_path: Path, text: str) -> dict:
    (tmp_path / "publication.yaml").write_text(text, encoding="utf-8")
    return load_config(tmp_path)


@pytest.mark.parametrize("text, expected", [
    ("", {"chapters_on_new_page": True}),
    ("layout:\n  chapters_on_new_page: false\n", {"chapters_on_new_page": False}),
    ("layout:\n  chapters_on_new_page: true\n", {"chapters_on_new_page": True}),
    ("layout:\n  chapters_on_new_page: False\n", {"chapters_on_new_page": False}),
])
def test_chapters_open_a_new_page_unless_the_layout_says_not(tmp_path, text, expected):
    assert layout_settings(_config(tmp_path, text)) == expected


@pytest.mark.parametrize("text, message", [
    ("pdf: {}\nlayout:\n  chapters_on_new_page: no\n",
     ":3: 'layout: chapters_on_new_page' must be true or false, not 'no'"),
    ("layout:\n  chapters_on_new_page:\n", ":2: 'layout: chapters_on_new_page' must be true"
                                          " or false, not ''"),
    ("layout:\n  chapters_on_new_page: [true]\n",
     ":2: 'layout: chapters_on_new_page' must be true or false, not 'a list or mapping'"),
    ("layout:\n  chapter_on_new_page: false\n",
     ":2: 'layout: chapter_on_new_page' is not a setting (chapters_on_new_page)"),
    ("\nlayout: false\n", ":2: 'layout' must be a mapping (name: value lines indented"
                          " under it)"),
    ("\n\nlayout:\n", ":3: 'layout' is empty: give its settings indented under it, or leave"
                      " it out"),
    ("brief:\n", ":1: 'brief' is empty: give its settings indented under it, or leave it"
                 " out"),
])
def test_a_wrong_layout_setting_is_named_with_its_line(tmp_path, text, message):
    with pytest.raises(SourceError) as caught:
        _config(tmp_path, text)
    assert str(caught.value) == f"{tmp_path}/publication.yaml{message}"


def test_a_brief_is_made_only_when_publication_yaml_asks_for_one(tmp_path):
    assert not has_brief(_config(tmp_path, "layout:\n  chapters_on_new_page: false\n"))
    assert has_brief(_config(tmp_path, "brief:\n  title: In brief\n"))


# --- a whole build of a publication with nothing but text ------------------------------

SHORT_NOTE = "short-note"
NON_BRIEF_EDITIONS = {"whitepaper.pdf", "whitepaper-press.pdf", "whitepaper.html",
                      "whitepaper.docx"}


@pytest.fixture(scope="module")
def short_note(tmp_path_factory):
    """A project whose only publication is two short chapters in English: no brief, no
    data/ or charts/ folder, no key figures, no appendix, chapters not on new pages."""
    from conftest import copy_project, snakemake

    root = copy_project(tmp_path_factory.mktemp("shapes"))
    shutil.rmtree(root / "sources")
    pub = root / "sources" / SHORT_NOTE
    pub.mkdir(parents=True)
    (pub / "publication.yaml").write_text("layout:\n  chapters_on_new_page: false\n",
                                          encoding="utf-8")
    (pub / "text.md").write_text(
        "---\ntitle: A Short Note\nissuer: Example Office\ndate: June 2025\nlang: en\n---\n\n"
        "# Why this note\n\nThis note has two short chapters and nothing else: no data,"
        " no charts, no key figures, no appendix and no brief.\n\n"
        "# What follows\n\nA second chapter of one paragraph.\n", encoding="utf-8")
    result = snakemake(root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root


def test_a_publication_without_brief_builds_and_publishes_no_brief(short_note):
    out = short_note / "output" / SHORT_NOTE
    # Beside the editions: the provenance report, the change report and what the next
    # change report compares with.
    extras = {"numbers.html", "changes.html", "document.json", "pages.json"}
    assert {p.name for p in out.iterdir()} == NON_BRIEF_EDITIONS | extras | {"manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["file"] for entry in manifest["files"]} == NON_BRIEF_EDITIONS | extras
    assert not list((short_note / "build" / SHORT_NOTE).glob("brief*"))
    text = subprocess.run(["pdftotext", str(out / "whitepaper.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "A second chapter of one paragraph." in text


def test_short_chapters_share_a_page_when_the_layout_says_so(short_note):
    """(Needs the document model to carry layout_settings to the HTML writer.)"""
    pdf = short_note / "output" / SHORT_NOTE / "whitepaper.pdf"
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    first = next(n for n, page in enumerate(pages) if "This note has two" in page)
    assert "A second chapter of one paragraph." in pages[first]


def test_without_pdf_settings_the_press_edition_is_still_print_ready(tmp_path):
    from paperpress.publication import pdf_settings

    editions = pdf_settings({}, tmp_path, REPO / "templates")
    press, screen = editions["press"], editions["screen"]
    assert press.variant == "pdf/x-4" and press.output_profile is not None
    assert [p.name for p in press.stylesheets] == ["press.css"]
    assert screen.variant == "pdf/a-3u" and screen.tagged
