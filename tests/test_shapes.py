"""Any shape of publication: the layout setting, a publication without a brief (no brief
editions built or published), without data, charts, key figures or appendix."""

from __future__ import annotations

from pathlib import Path

import pytest

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
