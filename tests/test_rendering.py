import http.server
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import REPO
from paperpress.errors import SourceError
from paperpress.pdf import render_pdf
from paperpress.templating import render_template


def test_a_template_syntax_error_names_the_template_and_line(tmp_path):
    (tmp_path / "t.html.j2").write_text("<p>\n{{ meta.title }\n</p>\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_template(tmp_path, "t.html.j2", {"meta": {"title": "x"}})
    assert str(err.value).startswith(f"{tmp_path / 't.html.j2'}:2: template syntax error")


def test_an_undefined_template_variable_names_the_template_and_line(tmp_path):
    (tmp_path / "t.html.j2").write_text("<p>\n\n{{ meta.titel }}\n</p>\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_template(tmp_path, "t.html.j2", {"meta": {"title": "x"}})
    assert ":3: template error:" in str(err.value) and "titel" in str(err.value)


@pytest.mark.parametrize("expression, says", [
    ("{{ 1/0 }}", "division by zero"),
    ("{{ meta.title.__class__.__mro__ }}", "unsafe"),
    ("{{ meta.items[5] }}", "template error"),
    ("{% for i in range(100000) %}{% endfor %}", "may count to 10000"),
    ("{{ 'x' * 'y' }}", "template error"),
    ("{{ 10.0 ** 400 }}", "OverflowError"),
    ("{{ 10 ** 100000000 }}", "too large"),
    ("{{ ((2 ** 64) ** 64) ** 64 }}", "too large"),
    ("{{ 'a' * 10 ** 10 }}", "too long"),
    ("{{ (10 ** 10) * [1] }}", "too long"),
])
def test_an_expression_that_fails_names_the_template_and_line(tmp_path, expression, says):
    (tmp_path / "t.html.j2").write_text(f"<p>\n\n{expression}\n</p>\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_template(tmp_path, "t.html.j2", {"meta": {"title": "x", "items": []}})
    assert str(err.value).startswith(f"{tmp_path / 't.html.j2'}:3: template error")
    assert says in str(err.value)


MEMORY_CAP = 1 << 30


def render_with_capped_memory(folder: Path, name: str) -> subprocess.CompletedProcess:
    """Render in a child process with 1 GiB of memory and two minutes: a bound that does
    not hold must fail the test, not take the machine's memory."""
    code = ("import sys\n"
            "from paperpress.errors import SourceError\n"
            "from paperpress.templating import render_template\n"
            "try:\n"
            "    render_template(sys.argv[1], sys.argv[2], {})\n"
            "except SourceError as exc:\n"
            "    print(exc)\n"
            "    sys.exit(1)\n")

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    try:
        return subprocess.run([sys.executable, "-c", code, str(folder), name],
                              capture_output=True, text=True, timeout=120, preexec_fn=cap,
                              env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name} ran past two minutes: an operation no time limit stops")


# Operations that run in C, which no time limit interrupts, or that build more than a job's
# memory: each is refused before it runs, naming the template and line.
@pytest.mark.parametrize("expression, says", [
    ("{% set ns = namespace(x=2**2000) %}{% for i in range(21) %}{% set ns.x = ns.x * ns.x %}"
     "{% endfor %}", "a product with more than 4096 bits is too large"),
    ("{{ 'x'|center(400000000) }}", "center width of 400000000: a template may pad to 10000"),
    ("{{ 'x'.rjust(400000000) }}", "rjust() width of 400000000"),
    ("{{ ('a\\n' * 500000)|indent(9000) }}", "builds more than 50 million characters"),
    ("{{ '%0400000000d' % 1 }}", "a format's width of 400000000"),
    ("{{ '%.*f' % (400000000, 1) }}", "a format's precision from its arguments"),
    ("{{ '%0400000000d'|format(1) }}", "a format's width of 400000000"),
    ("{{ '{:>400000000}'.format(1) }}", "a format's width of 400000000"),
    ("{% for i in range(10000) %}{{ 'x' * 999999 }}{% endfor %}",
     "builds more than 50 million characters"),
    ("{% filter upper %}{% for i in range(10000) %}{{ 'x' * 999999 }}{% endfor %}"
     "{% endfilter %}", "builds more than 50 million characters"),
    ("{% set ns = namespace(x='x' * 999999) %}{% for i in range(30) %}"
     "{% set ns.x = ns.x ~ ns.x %}{% endfor %}", "builds more than 50 million characters"),
    ("{{ (['x' * 999999] * 999)|join }}", "builds more than 50 million characters"),
    ("{{ ''.join(['x' * 999999] * 999) }}", "builds more than 50 million characters"),
    ("{{ ('x' * 999999)|replace('', 'x' * 999) }}", "builds more than 50 million characters"),
    ("{{ ([[0] * 999999] * 999)|sum(start=[]) }}", "builds more than 50 million characters"),
    ("{{ [1, 2, 3]|tojson(200000000) }}", "tojson indent of 200000000"),
    ("{{ ('x'.encode() * 600000000)|length }}", "a repetition longer than a million items"),
    ("{{ 'x'.encode().center(600000000)|length }}", "center() width of 600000000"),
    ("{{ 'x'.encode().zfill(600000000)|length }}", "zfill() width of 600000000"),
])
def test_an_operation_too_large_to_interrupt_is_refused(tmp_path, expression, says):
    (tmp_path / "t.html.j2").write_text(f"<p>\n\n{expression}\n</p>\n", encoding="utf-8")
    result = render_with_capped_memory(tmp_path, "t.html.j2")
    assert result.returncode == 1 and result.stderr == "", result.stderr[-2000:]
    assert result.stdout.startswith(f"{tmp_path / 't.html.j2'}:3: template error: ")
    assert says in result.stdout


@pytest.mark.parametrize("text", ["长" * 1000, "长"])
@pytest.mark.parametrize("block", [("", ""), ("{% filter upper %}", "{% endfilter %}")])
def test_text_a_template_writes_out_itself_is_bounded(tmp_path, text, block):
    loops = block[0] + "{% for i in range(9000) %}{% for j in range(9000) %}" + text \
        + "{% endfor %}{% endfor %}" + block[1]
    (tmp_path / "t.html.j2").write_text(f"<p>\n{loops}\n</p>\n", encoding="utf-8")
    result = render_with_capped_memory(tmp_path, "t.html.j2")
    assert result.returncode == 1 and result.stderr == "", result.stderr[-2000:]
    assert result.stdout.startswith(f"{tmp_path / 't.html.j2'}:2: template error: the"
                                    " template builds more than 50 million characters")


def test_everyday_padding_and_formatting_still_work(tmp_path):
    (tmp_path / "t.html.j2").write_text(
        "{{ '%05.1f'|format(3.14159) }}|{{ '%-4s' % 'ab' }}|{{ 'x'|center(5) }}|"
        "{{ '{:>4}'.format(7) }}|{{ [1, 2]|join(',') }}|{{ 'a' ~ 1 }}|{{ 'ab' * 2 }}|"
        "{{ (2 ** 100 * 2 ** 100) % 7 }}|{{ 'a\nb'|indent(2) }}", encoding="utf-8")
    assert render_template(tmp_path, "t.html.j2", {}) == \
        "003.1|ab  |  x  |   7|1,2|a1|abab|4|a\n  b"


def test_running_out_of_memory_names_the_template(tmp_path):
    class Huge:
        def __str__(self):
            raise MemoryError

    (tmp_path / "t.html.j2").write_text("<p>\n{{ v }}\n</p>\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_template(tmp_path, "t.html.j2", {"v": Huge()})
    assert str(err.value) == f"{tmp_path / 't.html.j2'}:2: template error: MemoryError"


def test_a_template_named_through_a_variable_declares_every_file_below_the_folder(tmp_path):
    from paperpress.templating import templates_used

    (tmp_path / "parts" / "deeper").mkdir(parents=True)
    (tmp_path / "t.html.j2").write_text(
        '{% set part = "parts/" ~ "extra.j2" %}{% include part %}', encoding="utf-8")
    (tmp_path / "parts" / "extra.j2").write_text("附加", encoding="utf-8")
    (tmp_path / "parts" / "deeper" / "more.j2").write_text("更多", encoding="utf-8")
    (tmp_path / "base.css").write_text("p {}", encoding="utf-8")
    assert render_template(tmp_path, "t.html.j2", {}) == "附加"
    assert templates_used(tmp_path, "t.html.j2") == [
        tmp_path / "base.css", tmp_path / "parts" / "deeper" / "more.j2",
        tmp_path / "parts" / "extra.j2", tmp_path / "t.html.j2"]


def test_a_template_that_runs_too_long_is_stopped(tmp_path, monkeypatch):
    import paperpress.templating as templating

    monkeypatch.setattr(templating, "TIME_LIMIT_SECONDS", 0.5)
    loops = "{% for i in range(9000) %}{% for j in range(9000) %}{% endfor %}{% endfor %}"
    (tmp_path / "t.html.j2").write_text(f"<p>\n{loops}\n</p>\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"t.html.j2:2: template error: ran longer than"):
        render_template(tmp_path, "t.html.j2", {})


def test_a_template_linked_to_a_file_outside_its_folder_is_refused(tmp_path):
    (tmp_path / "secret.txt").write_text("password", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "t.html.j2").write_text('<p>{% include "inc.html" %}</p>', encoding="utf-8")
    (folder / "inc.html").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(SourceError, match="inc.html' leads outside"):
        render_template(folder, "t.html.j2", {})


def test_templates_escape_data(tmp_path):
    (tmp_path / "t.html.j2").write_text("<p>{{ v }}</p>", encoding="utf-8")
    assert render_template(tmp_path, "t.html.j2", {"v": "R&D <b>"}) == "<p>R&amp;D &lt;b&gt;</p>"


def _html(tmp_path, body):
    path = tmp_path / "e.html"
    path.write_text(f'<!DOCTYPE html><html lang="zh-CN"><body>{body}</body></html>',
                    encoding="utf-8")
    return path


def test_the_pdf_renderer_reads_no_local_file(tmp_path):
    html = _html(tmp_path, '<p>文</p><img src="file:///etc/hostname">')
    with pytest.raises(SourceError, match="refused to fetch file:///etc/hostname"):
        render_pdf(html, tmp_path / "e.pdf")
    assert not (tmp_path / "e.pdf").exists()


def test_the_pdf_renderer_fetches_nothing_from_the_network(tmp_path):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/x.css"
        html = _html(tmp_path, f'<link rel="stylesheet" href="{url}"><p>文</p>')
        with pytest.raises(SourceError, match="refused to fetch http://127.0.0.1"):
            render_pdf(html, tmp_path / "e.pdf")
    finally:
        server.shutdown()
    assert requests == []


@pytest.mark.parametrize("markup, url", [
    ('<link rel="attachment" href="file:///etc/passwd">', "file:///etc/passwd"),
    ('<style>@import url("file:///etc/hostname");</style>', "file:///etc/hostname"),
    ('<style>p { background: url("file:///etc/hostname") }</style>', "file:///etc/hostname"),
], ids=["attachment", "css-import", "css-url"])
def test_hostile_markup_reads_nothing_outside(tmp_path, markup, url):
    html = _html(tmp_path, f"{markup}<p>文</p>")
    with pytest.raises(SourceError, match=f"refused to fetch {url}"):
        render_pdf(html, tmp_path / "e.pdf")
    assert not (tmp_path / "e.pdf").exists()


@pytest.mark.parametrize("src", ["../../../../etc/hostname", "img.png"],
                         ids=["dot-dot-escape", "symlink"])
def test_relative_paths_and_symlinks_reach_no_file_and_stop_the_build(tmp_path, src):
    (tmp_path / "img.png").symlink_to("/etc/hostname")
    html = _html(tmp_path, f'<img src="{src}"><p>文</p>')
    with pytest.raises(SourceError, match="could not be rendered completely: Relative URI"):
        render_pdf(html, tmp_path / "e.pdf")
    assert not (tmp_path / "e.pdf").exists()


@pytest.mark.parametrize("css", ["p { background: url(logo.png) }",
                                 "li { list-style-image: url(bullet.png) }",
                                 "@page { background: url(paper.jpg) }"])
def test_a_relative_url_in_the_html_stops_the_pdf(tmp_path, css):
    # WeasyPrint only warns that it left such a url() out: the page would lack it.
    html = _html(tmp_path, f"<style>{css}</style><ul><li>文</li></ul><p>文</p>")
    with pytest.raises(SourceError, match="could not be rendered completely: .*Relative URI"):
        render_pdf(html, tmp_path / "e.pdf")
    assert not (tmp_path / "e.pdf").exists()


def test_a_press_stylesheet_that_loads_a_file_is_refused_naming_its_line(tmp_path):
    from paperpress.pdf import PdfEdition

    html = _html(tmp_path, "<p>正文</p>")
    press = tmp_path / "press.css"
    press.write_text("@page { bleed: 3mm; marks: crop cross; }\n"
                     "@page { background: url(paper.jpg) }\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_pdf(html, tmp_path / "e.pdf", edition=PdfEdition(stylesheets=(press,)))
    assert str(err.value) == (f"{press}:2: url() of 'paper.jpg': editions use only inlined"
                              " resources: write it as a data: URL, or delete it")
    assert not (tmp_path / "e.pdf").exists()


def test_the_fast_weasyprint_import_still_finds_harfbuzz_subset():
    # Without libharfbuzz-subset, WeasyPrint subsets CJK fonts ~12x slower and says nothing:
    # the import that skips find_library must still open it (by its file name).
    import subprocess
    import sys

    code = ("from paperpress.weasy import import_weasyprint; import_weasyprint();"
            "from weasyprint.text.ffi import harfbuzz_subset, pango;"
            "assert harfbuzz_subset is not None and pango is not None")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_output_profile_that_is_not_a_cmyk_icc_profile_is_named(tmp_path):
    from paperpress.pdf import PdfEdition

    html = _html(tmp_path, "<p>正文</p>")
    fake = tmp_path / "printer.icc"
    fake.write_text("not a profile " * 20, encoding="utf-8")
    with pytest.raises(SourceError, match=r"printer.icc: output profile .* is not an ICC"):
        render_pdf(html, tmp_path / "e.pdf", edition=PdfEdition(output_profile=fake))
    srgb = Path("/usr/share/color/icc/ghostscript/srgb.icc")  # libgs-common, as the example's
    with pytest.raises(SourceError, match=r"is for RGB colour, not CMYK"):
        render_pdf(html, tmp_path / "e.pdf", edition=PdfEdition(output_profile=srgb))
    assert not (tmp_path / "e.pdf").exists()
