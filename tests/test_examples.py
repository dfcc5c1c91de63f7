"""The two issue-11 examples, read as an editor would write them: the English annual report
uses every construct of the text syntax and not one Chinese character; the Chinese
bulletin shows no English word but the abbreviations a Chinese bulletin really prints."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from PIL import Image

from conftest import REPO

NORTHWIND = REPO / "sources" / "northwind-harbour-2025"
BULLETIN = REPO / "tests" / "fixtures" / "bulletin-zh"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# The text column is 160 mm: 1,890 pixels at 300 dpi.
COLUMN_PX_AT_300_DPI = 1890


def _tokens(text: str):
    md = (MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
          .use(footnote_plugin).use(container_plugin, name="box").use(attrs_plugin))
    return md.parse(text)


def _inline_children(tokens):
    return [child for t in tokens if t.type == "inline" for child in (t.children or [])]


def _source_files(root: Path):
    return [p for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".jpg"]


@pytest.mark.parametrize("path", _source_files(NORTHWIND), ids=lambda p: str(p.relative_to(NORTHWIND)))
def test_the_english_example_holds_no_chinese_character(path):
    text = path.read_text(encoding="utf-8")
    found = [(n, line) for n, line in enumerate(text.splitlines(), 1) if CJK.search(line)]
    assert not found, f"{path}: Chinese characters at {found[:3]}"


def test_the_english_example_says_it_is_fictional_on_the_cover_and_in_the_preface():
    text = (NORTHWIND / "text.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert "fictional" in front["subtitle"]
    preface = text.split("\n# ")[1]
    assert preface.startswith("About this report") and "fictional example" in preface


def test_the_english_example_uses_every_construct_of_the_text_syntax():
    text = (NORTHWIND / "text.md").read_text(encoding="utf-8")
    tokens = _tokens(text)
    types = {t.type for t in tokens}
    children = _inline_children(tokens)
    for kind in ("table_open", "blockquote_open", "bullet_list_open", "ordered_list_open",
                 "container_box_open", "footnote_open"):
        assert kind in types, kind
    nested = [t for t in tokens if t.type == "bullet_list_open" and t.level > 1]
    assert nested, "no list nested inside a list item"
    assert sum(t.type == "footnote_ref" for t in children) >= 3
    hrefs = [c.attrs["href"] for c in children if c.type == "link_open"]
    assert any(h.startswith("https://") for h in hrefs) and any(h.startswith("mailto:") for h in hrefs)
    assert re.search(r"<https://[^>]+>", text) and re.search(r"\]\(https://[^)]+\)", text)
    assert all(re.match(r"(https://([a-z]+\.)?example\.(org|com)/|mailto:[^@]+@example\.org$)", h)
               for h in hrefs), hrefs
    images = {c.attrs["src"]: c.attrs for c in children if c.type == "image"}
    assert images["images/harbour.jpg"]["id"] == "harbour"
    assert images["images/harbour.jpg"]["source"].startswith("Illustration:")
    assert images["images/berth-layout.svg"]["width"] == "70%"
    assert re.search(r"^Table: .+ \{#services source=\"[^\"]+\"\}$", text, re.M)
    assert re.search(r"^\|:?-+\|.*-+:\|", text, re.M), "no right-aligned column"
    assert re.search(r"^### ", text, re.M) and re.search(r"^## .+ \{#[a-z-]+\}$", text, re.M)
    for directive in (r"\{\{ key-figures \}\}", r"\{\{ figure [a-z-]+ \}\}",
                      r"\{\{ table cargo-by-type \}\}", r"\{\{ see [a-z-]+ \}\}",
                      r"\{\{ ref [a-z-]+ \}\}", r"\*\*[^*]+\.\*\* ", r"(?<!\*)\*[A-Z][^*]+\*(?!\*)"):
        assert re.search(directive, text), directive
    for period in ("2024", "2025", "2025-H1", "2021/2025"):
        assert f"@{period} }}}}" in text or f"@{period} |" in text, period


def test_every_cross_reference_of_the_examples_names_something_that_exists():
    for root in (NORTHWIND, BULLETIN):
        text = (root / "text.md").read_text(encoding="utf-8")
        ids = (set(re.findall(r"\{#([a-z0-9-]+)", text))
               | {p.stem for p in (root / "charts").glob("*.yaml")}
               | {p.stem for p in (root / "tables").glob("*.yaml")})
        for kind, name in re.findall(r"\{\{ (see|ref|figure|table) ([^ }]+) \}\}", text):
            assert name in ids, f"{root.name}: {{{{ {kind} {name} }}}}"


def test_the_photo_prints_at_300_dpi_across_the_column_and_the_diagram_is_svg():
    with Image.open(NORTHWIND / "images" / "harbour.jpg") as photo:
        assert photo.format == "JPEG" and photo.mode == "RGB"
        assert photo.width >= COLUMN_PX_AT_300_DPI
    svg = ET.parse(NORTHWIND / "images" / "berth-layout.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox")
    assert not any(el.get("href") or el.get("{http://www.w3.org/1999/xlink}href") for el in svg.iter())


def _bulletin_visible_text() -> list[str]:
    """What a reader of the bulletin sees: prose without placeholders and syntax, and the
    printed fields of its data, chart and table files."""
    text = (BULLETIN / "text.md").read_text(encoding="utf-8").split("---", 2)
    out = [yaml.safe_load(text[1])[k] for k in ("title", "subtitle", "issuer", "date")]
    body = re.sub(r"\{\{[^}]*\}\}|\{#[^}]*\}|\[\^\d+\]:?|^Table: |^::: box|^:::$|\*\*",
                  "", text[2], flags=re.M)
    out += [re.sub(r'source="([^"]*)"', r"\1", body)]
    for csv in (BULLETIN / "data").glob("*.csv"):
        for row in csv.read_text(encoding="utf-8").splitlines()[1:]:
            out += row.split(",")[3:]
    for spec in list((BULLETIN / "charts").glob("*.yaml")) + list((BULLETIN / "tables").glob("*.yaml")):
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
        out += [data.get(k, "") for k in ("caption", "source", "alt", "unit")]
        out += [s.get("label", "") for s in data.get("series", [])]
        out += list((data.get("row_labels") or {}).values())
    brief = yaml.safe_load((BULLETIN / "publication.yaml").read_text(encoding="utf-8"))["brief"]
    return out + [brief["title"]]


def test_the_chinese_bulletin_shows_no_english_word_but_gdp_and_cpi():
    words = {w for text in _bulletin_visible_text() for w in re.findall(r"[A-Za-z]+", str(text))}
    assert words <= {"GDP", "CPI"}, words


def test_the_chinese_bulletin_is_marked_fictional_and_has_the_shape_its_tests_need():
    text = (BULLETIN / "text.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front["lang"] == "zh-CN" and "虚构" in front["subtitle"]
    config = yaml.safe_load((BULLETIN / "publication.yaml").read_text(encoding="utf-8"))
    assert "appendix" not in config and "charts" not in config["brief"]
    assert config["layout"]["chapters_on_new_page"] is False
    tokens = _tokens(text)
    types = {t.type for t in tokens}
    assert {"table_open", "container_box_open", "footnote_open"} <= types
    assert sum(t.type == "footnote_ref" for t in _inline_children(tokens)) == 2
    inner = [t for t in tokens if t.type == "bullet_list_open" and t.level > 1]
    assert inner and all(any(o.type == "ordered_list_open" and o.level < t.level for o in tokens)
                         for t in inner)
    assert re.search(r"^::: box \S+ \{#indicators\}$", text, re.M)
    assert re.search(r"^Table: .+ \{#industry source=\"[^\"]+\"\}$", text, re.M)
    assert "{{ see industry }}" in text and "{{ see indicators }}" in text
