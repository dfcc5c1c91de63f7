"""The press edition as a print shop takes it: crop marks outside the bleed on a sheet
larger than trim + bleed (or none), black text and rules in 100 % K overprinting (and
nothing else), the output intent naming its registered print condition, and bound pages
with mirrored margins, running heads and page numbers on the outer edge.

Each is checked in the PDF itself: its page boxes and content streams (pikepdf), its text
positions (pdftotext), qpdf's check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO
from paperpress.document import write_document_model
from paperpress.errors import SourceError
from paperpress.html import render_whitepaper_html
from paperpress.pdf import PdfEdition, render_pdf
from paperpress.pdftext import read_pages
from paperpress.publication import load_config, pdf_settings

MM = 72 / 25.4
TEMPLATES = REPO / "templates"
PRESS_CSS = TEMPLATES / "html" / "press.css"
FOGRA39 = TEMPLATES / "icc" / "CoatedFOGRA39.icc"

PARAGRAPH = ("湖南坚持把共建“一带一路”作为扩大高水平对外开放的重大机遇，推动贸易、投资、"
             "物流和人文交流全面发展，开放型经济水平持续提升。") * 3

MARKDOWN = """---
title: 青山市对外开放报告
issuer: 青山市人民政府
date: 2026年3月
lang: zh-CN
---

# 总体情况 {{#general}}

{{{{ key-figures }}}}

**开放水平稳步提高。**全年集装箱吞吐量{{{{ teu@2025 }}}}[^a]。

[^a]: 按可比口径计算。

## 贸易规模持续扩大

{body}

::: box 绿色港口 {{#plans}}
岸电覆盖**四个**泊位。
:::

# 主要举措 {{#measures}}

{body}

## 物流通道

{body}

# 未来展望 {{#outlook}}

{body}
"""
DATA = ("key,period,value,unit,label,section\n"
        "teu,2024,1.42,万标箱,集装箱吞吐量,一\n"
        "teu,2025,1550.50,万标箱,集装箱吞吐量,一\n")
# No pdf: block: the press edition as every publication gets it by default.
CONFIG = "key_figures:\n  - ref: teu@2025\nappendix:\n  title: 附表　主要统计数据\n"


def make_publication(root: Path, config: str = CONFIG) -> Path:
    pub = root / "sources" / "pub"
    (pub / "data").mkdir(parents=True)
    (pub / "text.md").write_text(MARKDOWN.format(body="\n\n".join([PARAGRAPH] * 5)),
                                 encoding="utf-8")
    (pub / "data" / "trade.csv").write_text(DATA, encoding="utf-8")
    (pub / "publication.yaml").write_text(config, encoding="utf-8")
    return pub


def edition_of(settings) -> PdfEdition:
    return PdfEdition(variant=settings.variant, tagged=settings.tagged,
                      stylesheets=settings.stylesheets, output_profile=settings.output_profile,
                      crop_marks=settings.crop_marks,
                      output_condition=settings.output_condition)


def render(pub: Path, out: Path, kind: str = "press") -> Path:
    """The publication's HTML edition, as the pipeline writes it, rendered as ``kind``
    with the settings its publication.yaml gives (layout file beside it)."""
    out.mkdir(exist_ok=True)
    model = out / "document.json"
    write_document_model(pub, model, TEMPLATES)
    html = out / "whitepaper.html"
    render_whitepaper_html(model, out, TEMPLATES / "html", html, sources_dir=pub)
    settings = pdf_settings(load_config(pub), pub, TEMPLATES)[kind]
    pdf = out / f"{kind}.pdf"
    render_pdf(html, pdf, out / f"{kind}.layout.json", edition_of(settings))
    return pdf


@pytest.fixture(scope="module")
def publication(tmp_path_factory):
    return make_publication(tmp_path_factory.mktemp("pub"))


@pytest.fixture(scope="module")
def book(publication, tmp_path_factory):
    """The press edition of a short white paper, with the defaults every publication gets."""
    return render(publication, tmp_path_factory.mktemp("press"))


# Crop marks ------------------------------------------------------------------------------

def _box(page, name: str) -> tuple[float, ...]:
    return tuple(float(v) for v in page.obj[name])


def _registration_strokes(pdf, page) -> list[tuple[tuple[float, float], ...]]:
    """Each path stroked in the registration colour (a Separation named All): its points,
    in default user space (the marks are drawn there; the test refuses a 'cm' among them)."""
    spaces = page.Resources.get("/ColorSpace") or {}

    def is_registration(name) -> bool:
        space = spaces.get(str(name))
        return (isinstance(space, pikepdf.Array) and space[0] == "/Separation"
                and space[1] == "/All")

    strokes, path, current, depth, depth_at_colour = [], [], None, 0, None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            depth += 1
        elif op == "Q":
            if depth_at_colour is not None and depth <= depth_at_colour:
                current, depth_at_colour = None, None
            depth -= 1
        elif op == "CS":
            current = str(operands[0]) if is_registration(operands[0]) else None
            depth_at_colour = depth if current else None
        elif op == "cm" and current:
            raise AssertionError("the marks are drawn under a transformation")
        elif op in ("m", "l"):
            path.append(tuple(float(v) for v in operands))
        elif op == "c":
            path += [tuple(float(v) for v in operands[i:i + 2]) for i in (0, 2, 4)]
        elif op in ("S", "s", "f", "B", "n"):
            if current and op in ("S", "s", "B"):
                strokes.append(tuple(path))
            path = []
    return strokes


def _inside(point, box, margin: float = 0.0) -> bool:
    x, y = point
    x0, y0, x1, y1 = box
    return x0 - margin < x < x1 + margin and y0 - margin < y < y1 + margin


def test_crop_marks_lie_outside_the_bleed_on_a_sheet_larger_than_trim_and_bleed(book):
    with pikepdf.open(book) as pdf:
        assert len(pdf.pages) >= 4
        for page in pdf.pages:
            media, bleed, trim = (_box(page, n) for n in ("/MediaBox", "/BleedBox", "/TrimBox"))
            # TrimBox within BleedBox within MediaBox; the bleed is the stylesheet's 3 mm.
            for outer, inner in ((media, bleed), (bleed, trim)):
                assert outer[0] <= inner[0] and outer[1] <= inner[1]
                assert outer[2] >= inner[2] and outer[3] >= inner[3]
            assert trim[0] - bleed[0] == pytest.approx(3 * MM, abs=0.01)
            assert trim[2] - trim[0] == pytest.approx(210 * MM, abs=0.01)
            # The sheet leaves room for the marks beyond the bleed.
            assert bleed[0] - media[0] > 5 * MM and media[3] - bleed[3] > 5 * MM
            strokes = _registration_strokes(pdf, page)
            assert len(strokes) >= 8, "a crop mark on each side of each corner"
            for stroke in strokes:
                for point in stroke:
                    # Outside the bleed (by more than half a hairline), on the sheet.
                    assert not _inside(point, bleed, margin=0.2), (point, bleed)
                    assert _inside(point, media)
            # The corner marks continue the trim lines: a horizontal one on y = trim top…
            ends = {point for stroke in strokes for point in stroke}
            assert any(y == pytest.approx(trim[3], abs=0.01) and x < trim[0] - 3 * MM
                       for x, y in ends)
            # …and a vertical one on x = trim left, above the bleed.
            assert any(x == pytest.approx(trim[0], abs=0.01) and y > bleed[3]
                       for x, y in ends)


def test_the_marks_are_on_every_plate(book):
    with pikepdf.open(book) as pdf:
        space = next(v for v in pdf.pages[0].Resources.ColorSpace.values()
                     if isinstance(v, pikepdf.Array) and v[0] == "/Separation")
        assert space[1] == "/All" and space[2] == "/DeviceCMYK"
        assert [float(v) for v in space[3].C1] == [1, 1, 1, 1]


def test_without_crop_marks_the_sheet_is_trim_and_bleed_alone(tmp_path):
    pub = make_publication(tmp_path, CONFIG + "pdf:\n  press:\n    crop_marks: false\n")
    pdf = render(pub, tmp_path / "out")
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            assert _box(page, "/MediaBox") == pytest.approx(_box(page, "/BleedBox"))
            assert _box(page, "/TrimBox")[0] - _box(page, "/BleedBox")[0] == pytest.approx(
                3 * MM, abs=0.01)
            assert _registration_strokes(doc, page) == []
        # Still the print run's intent, and black still overprints.
        assert str(doc.Root.OutputIntents[0].OutputConditionIdentifier) == "FOGRA39"
        assert any(p["overprint"] for p in _painted(doc))


def test_qpdf_finds_no_fault_in_the_press_edition(book):
    assert shutil.which("qpdf"), ("qpdf is not installed:"
                                   " `make test` installs qpdf (TEST_PACKAGES)")
    result = subprocess.run(["qpdf", "--check", str(book)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


# Black overprints ------------------------------------------------------------------------

def _painted(pdf) -> list[dict]:
    """Everything painted on every page (and in the forms it draws): the operator, the
    fill and stroke colour as (space, components), and whether fill and stroke overprint
    (the ExtGState flags in force) with overprint mode 1."""
    found = []

    def walk(holder, resources, state):
        ext = resources.get("/ExtGState") or {}
        stack = []
        state = dict(state)
        for operands, operator in pikepdf.parse_content_stream(holder):
            op = str(operator)
            if op == "q":
                stack.append(dict(state))
            elif op == "Q":
                state = stack.pop()
            elif op in ("cs", "CS"):
                state["fill" if op == "cs" else "stroke"] = (str(operands[0]), None)
            elif op in ("scn", "sc", "SCN", "SC"):
                key = "fill" if op.islower() else "stroke"
                state[key] = (state[key][0], tuple(float(v) for v in operands))
            elif op in ("k", "K", "rg", "RG", "g", "G"):
                space = {"k": "/DeviceCMYK", "rg": "/DeviceRGB", "g": "/DeviceGray"}[op.lower()]
                state["fill" if op.islower() else "stroke"] = (
                    space, tuple(float(v) for v in operands))
            elif op == "Tf":
                state["font"] = (str(operands[0]), round(float(operands[1]), 2))
            elif op == "gs":
                given = ext[str(operands[0])]
                if "/OP" in given:
                    state["OP"] = bool(given.OP)
                    state["op"] = bool(given.get("/op", given.OP))
                if "/op" in given:
                    state["op"] = bool(given.op)
                if "/OPM" in given:
                    state["OPM"] = int(given.OPM)
            elif op in ("Tj", "TJ", "'", '"', "f", "f*", "F", "S", "s", "B", "B*", "b", "b*"):
                found.append({"op": op, "page": number, "font": state.get("font"),
                              "fill": state["fill"], "stroke": state["stroke"],
                              "overprint": state["op"] and state["OPM"] == 1,
                              "stroke_overprint": state["OP"] and state["OPM"] == 1})
            elif op == "Do":
                xobject = resources.XObject[str(operands[0])]
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources") or resources, state)

    for number, page in enumerate(pdf.pages, 1):
        walk(page, page.Resources, {"fill": ("/DeviceGray", (0.0,)),
                                    "stroke": ("/DeviceGray", (0.0,)),
                                    "op": False, "OP": False, "OPM": 0})
    return found


BLACK = ("/DeviceCMYK", (0.0, 0.0, 0.0, 1.0))
TEXT = ("Tj", "TJ", "'", '"')


def test_black_text_overprints_and_nothing_else_does(book):
    with pikepdf.open(book) as pdf:
        painted = _painted(pdf)
        for page in pdf.pages:
            assert not {"rg", "RG"} & {str(o) for _, o in pikepdf.parse_content_stream(page)}
    text = [p for p in painted if p["op"] in TEXT]
    # The body text (its face and size are those of most lines after the cover and the
    # contents) is in 100 % K, overprinting, on every page…
    from collections import Counter

    [(body_font, count)] = Counter(p["font"] for p in text if p["page"] > 2).most_common(1)
    body = [p for p in text if p["font"] == body_font]
    assert count > 50 and all(p["fill"] == BLACK and p["overprint"] for p in body)
    # …and so is everything else set in black: lead-ins, the footnote, chapter headings.
    black = [p for p in text if p["fill"] == BLACK]
    assert len(black) > len(body) and all(p["overprint"] for p in black)
    # The accent-coloured headings and figures, the appendix's white header text, the
    # grey running heads and source lines knock out.
    others = [p for p in text if p["fill"] != BLACK]
    colours = {p["fill"] for p in others}
    assert ("/DeviceCMYK", (0.0, 0.0, 0.0, 0.0)) in colours  # white on the accent
    assert ("/DeviceCMYK", (0.0, 0.0, 0.0, 0.62)) in colours  # the muted grey
    assert ("/DeviceCMYK", (0.0, 0.9, 0.8, 0.35)) in colours  # the accent
    assert not any(p["overprint"] for p in others)
    # Fills (backgrounds, rules): none but black overprints.
    for p in painted:
        if p["op"] not in TEXT:
            assert p["overprint"] == (p["fill"] == BLACK) or p["op"] in ("S", "s"), p
            if p["op"] in ("S", "s", "B", "B*", "b", "b*"):
                assert p["stroke_overprint"] == (p["stroke"] == BLACK), p


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    """Rules and lines in black, red and white, as CSS borders and in an SVG picture."""
    tmp_path = tmp_path_factory.mktemp("rules")
    html = tmp_path / "rules.html"
    css = (TEMPLATES / "html" / "base.css").read_text(encoding="utf-8")
    html.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><style>{css}</style></head><body>'
                    '<p style="border-top: 0.3mm solid var(--ink)">黑线</p>'
                    '<p style="border-top: 0.3mm solid var(--accent)">红线</p>'
                    '<div style="background: var(--accent); padding: 2mm">'
                    '<p style="border-top: 0.3mm solid white; color: white">白线白字</p></div>'
                    '<svg width="100" height="20"><line x1="0" y1="10" x2="100" y2="10" '
                    'stroke="#000" stroke-width="1"/><line x1="0" y1="15" x2="100" y2="15" '
                    'stroke="#9e1b1e" stroke-width="1"/></svg></body></html>', encoding="utf-8")
    pdf = tmp_path / "rules.pdf"
    render_pdf(html, pdf, None, edition_of(pdf_settings({}, tmp_path, TEMPLATES)["press"]))
    return pdf


def test_a_black_rule_overprints_and_white_and_coloured_ones_knock_out(rules):
    pdf = rules
    with pikepdf.open(pdf) as doc:
        painted = [p for p in _painted(doc) if p["op"] not in TEXT]
    fills = {(p["fill"], p["overprint"]) for p in painted if p["op"][0] in "fFbB"}
    strokes = {(p["stroke"], p["stroke_overprint"]) for p in painted if p["op"] in ("S", "s")}
    drawn = fills | strokes
    assert (BLACK, True) in drawn  # the black rules (CSS border, SVG line)
    assert (("/DeviceCMYK", (0.0, 0.0, 0.0, 0.0)), False) in drawn  # white, knocked out
    assert (("/DeviceCMYK", (0.0, 0.9, 0.8, 0.35)), False) in drawn  # red, knocked out
    assert all(overprint == (colour == BLACK) for colour, overprint in drawn)


# The output condition --------------------------------------------------------------------

def test_the_output_intent_names_the_registered_condition_of_its_profile(book):
    with pikepdf.open(book) as pdf:
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert str(intent.Info) == "Coated FOGRA39 (ISO 12647-2:2004)"
        profile = intent.DestOutputProfile
        assert profile.N == 4 and profile.read_bytes() == FOGRA39.read_bytes()
        assert "PDF/X-4" in pdf.Root.Metadata.read_bytes().decode("utf-8")


def test_the_press_edition_defaults_to_fogra39_with_crop_marks(tmp_path):
    press = pdf_settings({}, tmp_path, TEMPLATES)["press"]
    assert press.output_profile == FOGRA39 and press.output_condition == "FOGRA39"
    assert press.crop_marks is True
    # A publication's own profile does not inherit the default profile's condition.
    shutil.copy(FOGRA39, tmp_path / "printer.icc")
    press = pdf_settings({"pdf": {"press": {"output_profile": "printer.icc"}}}, tmp_path,
                         TEMPLATES)["press"]
    assert press.output_profile == tmp_path / "printer.icc" and press.output_condition is None
    press = pdf_settings({"pdf": {"press": {"crop_marks": "false"}}}, tmp_path,
                         TEMPLATES)["press"]
    assert press.crop_marks is False
    assert "--crop-marks" not in press.command_options()


@pytest.mark.parametrize("settings, says", [
    ("    crop_marks: yes please\n", "publication.yaml:4: 'pdf: press: crop_marks' must be"),
    ("    output_profile: JapanColor2001Coated.icc\n",
     "publication.yaml:4: pdf: press: output_profile 'JapanColor2001Coated.icc' does not"
     " exist"),
    # No such condition in the ICC's registry.
    ("    output_condition: FOGRA99\n",
     "publication.yaml:4: 'pdf: press: output_condition' FOGRA99 is not a registered print"
     " condition (FOGRA39, "),
    # A registered condition, but not the default profile's: the intent would name
    # Japan Color 2001 Coated and carry FOGRA39's profile.
    ("    output_condition: JC200103\n",
     "publication.yaml:4: 'pdf: press: output_condition' JC200103 is not the condition of"
     " output profile CoatedFOGRA39.icc ('Coated FOGRA39 (ISO 12647-2:2004)')"),
    ("    output_profile: jc.icc\n    output_condition: FOGRA39\n",
     "publication.yaml:5: 'pdf: press: output_condition' FOGRA39 is not the condition of"
     " output profile jc.icc ('Japan Color 2001 Coated')"),
])
def test_a_wrong_press_setting_is_one_line_naming_file_and_line(tmp_path, settings, says):
    _profile_described(tmp_path / "jc.icc", "Japan Color 2001 Coated")
    (tmp_path / "publication.yaml").write_text("pdf:\n  press:\n    variant: pdf/x-4\n"
                                               + settings, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        pdf_settings(load_config(tmp_path), tmp_path, TEMPLATES)
    message = str(err.value)
    assert says in message and "\n" not in message


def test_a_condition_without_a_profile_is_refused(tmp_path):
    from paperpress.publication import load_config

    (tmp_path / "publication.yaml").write_text(
        "pdf:\n  screen:\n    variant: pdf/a-3u\n    output_condition: FOGRA39\n",
        encoding="utf-8")
    with pytest.raises(SourceError) as err:
        pdf_settings(load_config(tmp_path), tmp_path, TEMPLATES)
    assert "publication.yaml:4: 'pdf: screen: output_condition'" in str(err.value)


def _profile_described(path: Path, description: str) -> Path:
    """A copy of the FOGRA39 profile at ``path`` whose description ('desc') is another."""
    data = bytearray(FOGRA39.read_bytes())
    old = b"Coated FOGRA39 (ISO 12647-2:2004)"
    assert len(description) <= len(old)
    at = data.find(old)
    data[at:at + len(old)] = description.encode("ascii").ljust(len(old), b"\0")
    path.write_bytes(bytes(data))
    return path


def test_an_output_condition_of_its_profile_is_taken(tmp_path):
    _profile_described(tmp_path / "jc.icc", "Japan Color 2001 Coated")
    press = pdf_settings({"pdf": {"press": {"output_profile": "jc.icc",
                                            "output_condition": "JC200103"}}},
                         tmp_path, TEMPLATES)["press"]
    assert press.output_condition == "JC200103"
    # ECI's profile of the same condition is described otherwise: either words do.
    _profile_described(tmp_path / "eci.icc", "ISO Coated v2 (ECI)")
    press = pdf_settings({"pdf": {"press": {"output_profile": "eci.icc",
                                            "output_condition": "FOGRA39"}}},
                         tmp_path, TEMPLATES)["press"]
    assert press.output_condition == "FOGRA39"


@pytest.mark.parametrize("root", [REPO / "sources" / "hunan-bri-2023",
                                  REPO / "sources" / "northwind-harbour-2025",
                                  REPO / "tests" / "fixtures" / "bulletin-zh"],
                         ids=lambda p: p.name)
def test_the_bundled_publications_name_the_condition_of_their_profile(root):
    press = pdf_settings(load_config(root), root, TEMPLATES)["press"]
    assert press.output_condition == "FOGRA39"


# Bound pages -----------------------------------------------------------------------------

def _lines_on_the_trimmed_page(pdf: Path) -> list[tuple[int, list]]:
    """Each page's number and its text lines as (x0, y0, x1, text), in points from the top
    left of the trimmed page (pdftotext measures from the sheet's)."""
    with pikepdf.open(pdf) as doc:
        offsets = [(_box(p, "/TrimBox")[0] - _box(p, "/MediaBox")[0],
                    _box(p, "/MediaBox")[3] - _box(p, "/TrimBox")[3]) for p in doc.pages]
    return [(page.number, [(l.x0 - dx, l.y0 - dy, l.x1 - dx, l.text) for l in page.lines])
            for page, (dx, dy) in zip(read_pages(pdf), offsets)]


def test_left_and_right_pages_carry_head_and_number_on_their_outer_edge(book):
    width = 210 * MM
    seen = set()
    for number, lines in _lines_on_the_trimmed_page(book):
        folio = [l for l in lines if l[3] == str(number) and l[1] > 270 * MM]
        if not folio or number < 3:
            continue  # the cover and the contents have no running heads or folio
        heads = [l for l in lines if l[1] < 25 * MM]
        body = [l for l in lines if 40 * MM < l[1] < 260 * MM and len(l[3]) > 20]
        if not body:
            continue  # a page of the appendix's table alone
        left_edge = min(l[0] for l in body)
        right_edge = max(l[2] for l in body)
        [(x0, _, x1, _)] = folio
        if number % 2 == 0:  # a left-hand page: the outside edge is the left one
            seen.add("left")
            assert x0 == pytest.approx(left_edge, abs=1)
            assert all(h[0] == pytest.approx(left_edge, abs=1) for h in heads), heads
            # The wider margin inside, by the binding (on the right).
            assert width - right_edge > left_edge + 3 * MM
        else:
            seen.add("right")
            assert x1 == pytest.approx(right_edge, abs=1)
            assert all(h[2] == pytest.approx(right_edge, abs=1) for h in heads), heads
            assert left_edge > width - right_edge + 3 * MM
        seen.update("head" for _ in heads)
    assert seen == {"left", "right", "head"}


def test_the_press_edition_keeps_the_screen_editions_measure(publication, book,
                                                             tmp_path):
    """Mirrored margins move the text column, never change its width: each line breaks
    where the screen edition's does."""
    import json

    screen = render(publication, tmp_path, kind="screen")
    widths = {}
    for name in (book.with_suffix(".layout.json"), screen.with_suffix(".layout.json")):
        pages = json.loads(name.read_text(encoding="utf-8"))["pages"]
        widths[name.stem] = {round(box[2] - box[0], 1) for page in pages[2:]
                             for box in [page["boxes"]["page-area"]]}
    assert widths["press.layout"] == widths["screen.layout"] and len(widths["press.layout"]) == 1


@pytest.mark.parametrize("edition", ["book", "rules"])
def test_the_overprint_switches_never_stand_inside_a_path(edition, request):
    """A graphics state may not change between a path's construction and its painting: a
    RIP would refuse the page or drop the path."""
    construct, paint = {"m", "l", "c", "v", "y", "h", "re"}, {
        "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}
    with pikepdf.open(request.getfixturevalue(edition)) as pdf:
        streams = [page.obj for page in pdf.pages] + [
            x for page in pdf.pages for x in (page.Resources.get("/XObject") or {}).values()
            if x.get("/Subtype") == "/Form"]
        switches = 0
        for stream in streams:
            in_path = False
            for _, operator in pikepdf.parse_content_stream(stream):
                op = str(operator)
                if op in construct:
                    in_path = True
                elif op in paint:
                    in_path = False
                elif op not in ("W", "W*"):
                    assert not in_path, f"{op} inside a path"
                switches += op == "gs"
    assert switches
