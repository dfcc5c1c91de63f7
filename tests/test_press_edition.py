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
from paperpress.errors import SourceError
from paperpress.pdf import PdfEdition, render_pdf
from paperpress.pdftext import read_pages
from paperpress.publication import pdf_settings

MM = 72 / 25.4
TEMPLATES = REPO / "templates"
PRESS_CSS = TEMPLATES / "html" / "press.css"
FOGRA39 = TEMPLATES / "icc" / "CoatedFOGRA39.icc"
PRESS = PdfEdition(variant="pdf/x-4", stylesheets=(PRESS_CSS,), output_profile=FOGRA39,
                   crop_marks=True, output_condition="FOGRA39")

PARAGRAPH = ("湖南坚持把共建“一带一路”作为扩大高水平对外开放的重大机遇，推动贸易、投资、"
             "物流和人文交流全面发展，开放型经济水平持续提升。") * 3


def _html(tmp_path: Path, body: str, lang: str = "zh-CN") -> Path:
    """An edition as the HTML writer makes one: the white paper's own stylesheets inlined."""
    css = "\n".join((TEMPLATES / "html" / name).read_text(encoding="utf-8")
                    for name in ("base.css", "whitepaper.css"))
    path = tmp_path / "edition.html"
    path.write_text(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
                    f"<title>测试</title><style>{css}</style></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path


def _book(chapters: int = 3, paragraphs: int = 9, extra: str = "") -> str:
    parts = ['<section class="cover"><div class="band"></div><div class="band-gold"></div>'
             '<div class="cover-main"><span class="title-line">青山市发展报告</span></div></section>'
             '<div class="doc-title">青山市发展报告</div>'
             '<nav class="toc"><h2>目录</h2><ol><li class="toc-1"><a href="#c1">一、总体情况</a>'
             "</li></ol></nav><main>"]
    for n in range(1, chapters + 1):
        parts.append(f'<h1 id="c{n}">第{n}章</h1>')
        parts += [f"<p>{PARAGRAPH}</p>" for _ in range(paragraphs)]
    parts.append(extra + "</main>")
    return "".join(parts)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A short book, in the press edition as the bundled publications make it."""
    tmp = tmp_path_factory.mktemp("press")
    pdf = tmp / "press.pdf"
    body = _book(extra='<p>白底黑字的正文，<strong>加粗的引导句</strong>，'
                 '<span class="footnote">脚注的文字。</span></p>'
                 '<h2>二级标题用强调色</h2>'
                 '<div class="table-block appendix"><table><thead><tr><th>红底白字</th></tr>'
                 '</thead><tbody><tr><td>表格</td></tr></tbody></table></div>'
                 '<p style="border-top: 0.3mm solid var(--ink)">黑线上方</p>'
                 '<p style="color: var(--muted)">灰色的来源行</p>')
    render_pdf(_html(tmp, body), pdf, None, PRESS)
    return pdf


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
    pdf = tmp_path / "press.pdf"
    render_pdf(_html(tmp_path, _book(chapters=1, paragraphs=2)), pdf, None,
               PdfEdition(variant="pdf/x-4", stylesheets=(PRESS_CSS,), output_profile=FOGRA39,
                          crop_marks=False, output_condition="FOGRA39"))
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            assert _box(page, "/MediaBox") == pytest.approx(_box(page, "/BleedBox"))
            assert _box(page, "/TrimBox")[0] - _box(page, "/BleedBox")[0] == pytest.approx(
                3 * MM, abs=0.01)
            assert _registration_strokes(doc, page) == []


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_finds_no_fault_in_the_press_edition(book):
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
                found.append({"op": op, "fill": state["fill"], "stroke": state["stroke"],
                              "overprint": state["op"] and state["OPM"] == 1,
                              "stroke_overprint": state["OP"] and state["OPM"] == 1})
            elif op == "Do":
                xobject = resources.XObject[str(operands[0])]
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources") or resources, state)

    for page in pdf.pages:
        walk(page, page.Resources, {"fill": ("/DeviceGray", (0.0,)),
                                    "stroke": ("/DeviceGray", (0.0,)),
                                    "op": False, "OP": False, "OPM": 0})
    return found


BLACK = ("/DeviceCMYK", (0.0, 0.0, 0.0, 1.0))
TEXT = ("Tj", "TJ", "'", '"')


def test_black_text_and_rules_overprint_and_nothing_else_does(book):
    with pikepdf.open(book) as pdf:
        painted = _painted(pdf)
        for page in pdf.pages:
            assert not {"rg", "RG"} & {str(o) for _, o in pikepdf.parse_content_stream(page)}
    text = [p for p in painted if p["op"] in TEXT]
    black = [p for p in text if p["fill"] == BLACK]
    # The body text, the lead-ins, the footnote, the headings: 100 % K, overprinting.
    assert len(black) > len(text) * 0.8
    assert all(p["overprint"] for p in black)
    # The accent-coloured heading, the white header text, the grey source line knock out.
    others = [p for p in text if p["fill"] != BLACK]
    colours = {p["fill"] for p in others}
    assert ("/DeviceCMYK", (0.0, 0.0, 0.0, 0.0)) in colours  # white on the accent
    assert ("/DeviceCMYK", (0.0, 0.0, 0.0, 0.62)) in colours  # the muted grey
    assert ("/DeviceCMYK", (0.0, 0.9, 0.8, 0.35)) in colours  # the accent
    assert not any(p["overprint"] for p in others)
    # Rules and fills: black ones overprint, coloured and white ones never.
    paths = [p for p in painted if p["op"] not in TEXT]
    fills = [p for p in paths if p["op"].lower().startswith(("f", "b"))]
    assert any(p["fill"] == BLACK for p in fills), "the black rule"
    for p in fills:
        assert p["overprint"] == (p["fill"] == BLACK), p
    for p in paths:
        if p["op"] in ("S", "s", "B", "B*", "b", "b*"):
            assert p["stroke_overprint"] == (p["stroke"] == BLACK), p


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
])
def test_a_wrong_press_setting_is_one_line_naming_file_and_line(tmp_path, settings, says):
    from paperpress.publication import load_config

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


# Bound pages -----------------------------------------------------------------------------

def test_left_and_right_pages_carry_head_and_number_on_their_outer_edge(book):
    with pikepdf.open(book) as pdf:
        media = [_box(p, "/MediaBox") for p in pdf.pages]
        trims = [_box(p, "/TrimBox") for p in pdf.pages]
    pages = read_pages(book)
    checked = set()
    for page, sheet, trim in zip(pages, media, trims):
        # pdftotext measures from the sheet's top left; the trimmed page starts further in.
        left, width = trim[0] - sheet[0], trim[2] - trim[0]
        top = sheet[3] - trim[3]
        lines = [(l.x0 - left, l.y0 - top, l.x1 - left, l.text) for l in page.lines]
        folio = [l for l in lines if l[3] == str(page.number) and l[1] > 270 * MM]
        head = [l for l in lines if l[1] < 27 * MM and l[3] != str(page.number)]
        body = [l for l in lines if 40 * MM < l[1] < 250 * MM]
        if not folio or page.number < 3:
            continue  # the cover and the contents carry neither
        [(x0, _, x1, _)] = folio
        if page.number % 2 == 0:  # a left-hand page: outer edge on the left
            assert x0 == pytest.approx(22 * MM, abs=1), page.number
            assert all(h[0] == pytest.approx(22 * MM, abs=1) for h in head), head
            assert min(l[0] for l in body) == pytest.approx(22 * MM, abs=1)
            checked.add("left")
        else:
            assert x1 == pytest.approx(width - 22 * MM, abs=1), page.number
            assert all(h[2] == pytest.approx(width - 22 * MM, abs=1) for h in head), head
            assert min(l[0] for l in body) == pytest.approx(26 * MM, abs=1.5)
            checked.add("right")
        if head:
            checked.add("head")
    assert checked == {"left", "right", "head"}
