"""The live preview (`paperpress preview`): its parts without Snakemake (which files count
as a change, the errors read from a run, the page's injection, choosing the publication,
how saves make rebuilds), then the whole of it driven in a real browser, Debian's
headless chromium: the Chinese bulletin (tests/fixtures/bulletin-zh) alone in a copy of
the project, an edit of its text seen in the page, a broken CSV value shown as its file
and row over the last good page, and the page back without the error once it is fixed.

No timing is asserted: the waits are generous, and the latency is measured by
tools/bench.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from conftest import REPO, copy_project
from paperpress.cli import main
from paperpress.preview import choose_publication, of_publication
from paperpress.preview.page import bar, inject, preview_words, source_lang
from paperpress.preview.rebuild import Rebuilder
from paperpress.preview.server import PreviewServer
from paperpress.preview.snakemake_run import (RunResult, SnakemakeRunner,
                                              errors_from_last_run, errors_from_output)
from paperpress.preview.state import KeptFiles, PreviewState
from paperpress.preview.watcher import changed, is_scratch, snapshot

PUB = "bulletin-zh"
WAIT = 120  # seconds: a generous bound on a rebuild on a busy machine, not a timing


# --- its parts ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", [".text.md.swp", "text.md~", "#text.md#", "4913",
                                  "economy.csv.tmp", ".#text.md", "text.md.orig"])
def test_editor_scratch_files_are_not_changes(name):
    assert is_scratch(name)


@pytest.mark.parametrize("name", ["text.md", "economy.csv", "whitepaper.css", "gdp.yaml"])
def test_sources_are_changes(name):
    assert not is_scratch(name)


def test_a_snapshot_sees_an_edit_a_new_file_and_a_removed_one_but_no_swap_file(tmp_path):
    (tmp_path / "a.md").write_text("one")
    (tmp_path / "gone.csv").write_text("x")
    before = snapshot([tmp_path])
    (tmp_path / "a.md").write_text("one more")
    (tmp_path / "new.yaml").write_text("y")
    (tmp_path / "gone.csv").unlink()
    (tmp_path / ".a.md.swp").write_text("swap")
    assert changed(before, snapshot([tmp_path])) == sorted(
        str(tmp_path / n) for n in ("a.md", "gone.csv", "new.yaml"))


def test_another_publications_sources_do_not_rebuild_this_one(tmp_path):
    wanted = of_publication(tmp_path, "a")
    assert wanted(str(tmp_path / "sources" / "a" / "text.md"))
    assert wanted(str(tmp_path / "templates" / "html" / "web.css"))
    assert not wanted(str(tmp_path / "sources" / "ab" / "text.md"))


def test_errors_from_a_runs_output_once_each_with_file_and_line():
    output = ("rule model:\n    input: a, b\n"
              "error: sources/x/data/economy.csv:6: column 'value': '29x' is not a number\n"
              "rule chart:\n"
              "error: sources/x/data/economy.csv:6: column 'value': '29x' is not a number\n"
              "error: templates/html/web.css: cannot be read\n")
    errors = errors_from_output(output)
    assert [(e["file"], e["line"]) for e in errors] == [
        ("sources/x/data/economy.csv", 6), ("templates/html/web.css", None)]
    assert errors[0]["message"] == "column 'value': '29x' is not a number"
    assert errors[0]["text"] == "sources/x/data/economy.csv:6: column 'value': '29x' is not a number"


def test_errors_come_from_the_logger_plugins_report_when_this_run_wrote_it(tmp_path):
    report = tmp_path / "build" / "logs" / "last-run.json"
    report.parent.mkdir(parents=True)
    entry = {"file": "sources/x/text.md", "line": 3, "message": "bad", "text": "sources/x/text.md:3: bad"}
    report.write_text(json.dumps({"ok": False, "errors": [entry], "log": "build/logs/r.log"}))
    started = report.stat().st_mtime
    assert errors_from_last_run(tmp_path, started - 1) == ([entry], "build/logs/r.log")
    # Written before this run started: an earlier run's, not this one's.
    assert errors_from_last_run(tmp_path, started + 1) is None


class ScriptRunner(SnakemakeRunner):
    """A runner whose 'Snakemake' is a script: prints ``output``, writes ``report`` as the
    logger plugin's last-run.json if given, exits with ``code``."""

    def __init__(self, project, output, code, report=None):
        super().__init__(project, project / "logs")
        self.script = (f"import sys, pathlib\nsys.stderr.write({output!r})\n"
                       + (f"p = pathlib.Path('build/logs/last-run.json')\n"
                          f"p.parent.mkdir(parents=True, exist_ok=True)\n"
                          f"p.write_text({json.dumps(report)!r})\n" if report else "")
                       + f"sys.exit({code})\n")

    def command(self, targets):
        return [sys.executable, "-c", self.script]


def test_a_runs_errors_come_from_its_report_else_its_error_lines_else_its_last_error(
        tmp_path):
    line = "error: sources/p/text.md:4: placeholder {{ x }}: no data has the key 'x'\n"
    result = ScriptRunner(tmp_path, "rule model:\n" + line, 1).run(["build/p/whitepaper.html"])
    assert not result.ok and [e["text"] for e in result.errors] == [line[7:-1]]
    assert result.log == str(tmp_path / "logs" / "snakemake-whitepaper.html.log")

    entry = {"file": "a.csv", "line": 2, "message": "bad", "text": "a.csv:2: bad"}
    report = {"ok": False, "errors": [entry], "log": "build/logs/run.log"}
    result = ScriptRunner(tmp_path, "[failed] p: document model\n", 1, report).run(["t"])
    assert result.errors == [entry] and result.log == str(tmp_path / "build/logs/run.log")

    locked = "LockException:\nError: Directory cannot be locked. Please make sure that\n"
    result = ScriptRunner(tmp_path, locked, 1).run(["t"])
    assert [e["text"] for e in result.errors] == [
        "Error: Directory cannot be locked. Please make sure that"]

    result = ScriptRunner(tmp_path, "Nothing to be done.\n", 0).run(["t"])
    assert result.ok and result.errors == []


def test_the_bar_goes_before_the_end_of_the_body_and_its_words_cannot_close_the_script():
    snippet = bar(3, 1, {"title": "</script><b>x"})
    assert "</script><b>" not in snippet.split('class="pp-words">')[1].split("</script>")[0]
    page = inject(b"<html><body><p>text</p></body></html>", snippet)
    assert page.startswith(b"<html><body><p>text</p><div id=\"paperpress-preview\"")
    assert page.endswith(b"</script>\n</body></html>")
    assert b'data-version="3"' in page


def test_the_preview_speaks_the_publications_language_english_where_its_locale_is_silent(
        tmp_path):
    assert source_lang(REPO / "tests" / "fixtures" / PUB) == "zh-CN"
    assert source_lang(REPO / "sources" / "northwind-harbour-2025") == "en"
    (tmp_path / "text.md").write_text("---\ntitle: x\n---\nlang: fr\n")  # not front matter
    assert source_lang(tmp_path) == "en"
    templates = REPO / "templates"
    assert preview_words(templates, "zh-CN")["title"] == "预览"
    assert preview_words(templates, "en")["title"] == "Preview"
    (tmp_path / "locales").mkdir()
    shutil.copy(templates / "locales" / "en.yaml", tmp_path / "locales")
    (tmp_path / "locales" / "xx.yaml").write_text("babel: en\n")
    assert preview_words(tmp_path, "xx")["title"] == "Preview"


def project_with(tmp_path: Path, *pubs: str) -> Path:
    for pub in pubs:
        (tmp_path / "sources" / pub).mkdir(parents=True)
        (tmp_path / "sources" / pub / "publication.yaml").write_text("{}\n")
    return tmp_path


def test_the_publication_is_the_only_one_or_the_first_and_the_preview_says_which(tmp_path):
    assert choose_publication(project_with(tmp_path / "one", "a"), None) == (
        "a", " (the only publication)")
    pub, why = choose_publication(project_with(tmp_path / "two", "b", "a"), None)
    assert pub == "a" and "first of a, b" in why and "PUB=" in why


def test_an_unknown_publication_is_one_line_naming_those_there_are(tmp_path, capsys):
    project = project_with(tmp_path, "a", "b")
    assert main(["preview", "nope", "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: ") and "'nope'" in err and "a, b" in err


class FakeRunner:
    """Stands in for Snakemake: each run takes ``seconds`` and succeeds; records its
    targets, and lets the test save a file while a run is going on."""

    def __init__(self, project: Path, seconds: float = 0.1):
        self.project, self.seconds = project, seconds
        self.runs: list[str] = []
        self.count = 0
        self.during_run = None

    def run(self, targets):
        self.runs.append(Path(targets[0]).name)
        out = self.project / targets[0]
        out.parent.mkdir(parents=True, exist_ok=True)
        self.count += 1
        out.write_text(f"build {self.count}")  # each differs from the last
        if self.during_run:
            self.during_run()
            self.during_run = None
        time.sleep(self.seconds)
        return RunResult(ok=True)

    def interrupt(self):
        pass


def wait_for(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end
        time.sleep(0.02)


def test_quick_saves_make_one_rebuild_and_a_save_during_it_one_more(tmp_path):
    runner = FakeRunner(tmp_path)
    state = PreviewState()
    rebuilder = Rebuilder(tmp_path, "p", runner, state, KeptFiles(tmp_path / "kept"))
    rebuilder.start()
    try:
        wait_for(lambda: runner.runs == ["whitepaper.html", "whitepaper.pdf"]
                 and state.building is None)  # the first build, at start
        runner.runs.clear()
        for _ in range(5):  # five saves within the settling time
            rebuilder.changed(["text.md"])
            time.sleep(0.02)
        runner.during_run = lambda: rebuilder.changed(["text.md"])  # a save mid-build
        wait_for(lambda: len(runner.runs) >= 3 and state.building is None)
        time.sleep(0.5)  # would any further build start?
        # Second build's web edition first: the PDF of the first waited for it.
        assert runner.runs == ["whitepaper.html", "whitepaper.html", "whitepaper.pdf"]
        assert state.version == 3 and state.pdf_version == 2
    finally:
        rebuilder.stop()
        rebuilder.join(5)


# --- the whole of it, in a browser -------------------------------------------------------

@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """`paperpress preview` of the bulletin, alone in a copy of the project; yields
    (project, URL, process) and stops it with Ctrl-C's signal at the end."""
    project = copy_project(tmp_path_factory.mktemp("preview"))
    shutil.rmtree(project / "sources")
    shutil.copytree(REPO / "tests" / "fixtures" / PUB, project / "sources" / PUB)
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperpress", "preview", "--cores", "1"], cwd=project,
        env={**os.environ, "PYTHONPATH": str(project / "src")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline())
    assert first.startswith(f"previewing {PUB} (the only publication)") and url, first
    yield project, url[0], proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def body_text(browser) -> str:
    try:
        return browser.execute_script("return document.body ? document.body.innerText : ''")
    except WebDriverException:
        return ""  # the page is reloading


def errors_shown(browser) -> str:
    try:
        return browser.execute_script("""
            const panel = document.querySelector('#paperpress-preview .pp-errors');
            return panel && !panel.hidden && panel.offsetHeight > 0 ? panel.innerText : ''""")
    except WebDriverException:
        return ""


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_shows_in_the_browser_a_broken_csv_shows_its_row_over_the_last_good_page(
        preview, browser):
    project, url, _ = preview
    source = project / "sources" / PUB
    # The session's browser (conftest) may still emulate the web edition tests' phone.
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.get(url)
    wait = WebDriverWait(browser, WAIT, poll_frequency=0.1)
    wait.until(lambda b: "全年经济运行稳中有进" in body_text(b))
    assert browser.execute_script(
        "return document.querySelector('#paperpress-preview .pp-pdf').href").startswith(
        url + "whitepaper.pdf")

    edit(source / "text.md", "全年经济运行稳中有进。", "全年经济运行稳中向好，预览可见。")
    wait.until(lambda b: "预览可见" in body_text(b))

    edit(source / "data" / "economy.csv", "gdp,2025,2936.2,", "gdp,2025,29x36.2,")
    shown = wait.until(errors_shown)
    assert f"sources/{PUB}/data/economy.csv:6:" in shown and "29x36.2" in shown
    # The last good page stays up under the error.
    assert "预览可见" in body_text(browser)
    assert browser.execute_script("return document.querySelector('h1').offsetHeight") > 0

    edit(source / "data" / "economy.csv", "gdp,2025,29x36.2,", "gdp,2025,2936.3,")
    wait.until(lambda b: "2936.3" in body_text(b) and not errors_shown(b))
    assert "预览可见" in body_text(browser)


def get(url: str, host: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_it_serves_the_kept_pdf_its_state_and_nothing_else(tmp_path):
    files, state = KeptFiles(tmp_path / "kept"), PreviewState()
    server = PreviewServer(0, state, files, lambda: b"<html>the page</html>")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = server.url
    try:
        assert get(url) == (200, b"<html>the page</html>")
        assert get(url + "whitepaper.pdf")[0] == 404  # none built yet
        (tmp_path / "whitepaper.pdf").write_bytes(b"%PDF-1.7 built")
        files.keep(tmp_path / "whitepaper.pdf", "whitepaper.pdf")
        assert get(url + "whitepaper.pdf?v=1") == (200, b"%PDF-1.7 built")
        state.update(version=2, errors=[{"text": "a.csv:2: bad"}])
        assert json.loads(get(url + "status")[1])["errors"] == [{"text": "a.csv:2: bad"}]
        with urllib.request.urlopen(url + "events", timeout=30) as events:
            assert json.loads(events.readline().decode().removeprefix("data: "))["version"] == 2
        for path in ("kept/whitepaper.pdf", "whitepaper.docx", "%2e%2e/%2e%2e/etc/passwd",
                     "../whitepaper.pdf/x"):
            assert get(url + path)[0] == 404, path
        # Asked for by another name (a page elsewhere rebinding its name to 127.0.0.1).
        assert get(url, host="attacker.example")[0] == 403
    finally:
        state.stop()
        server.shutdown()
        server.server_close()


def test_a_stop_signal_stops_it_cleanly(preview):
    # SIGTERM (a terminal closed, a service stopped): it ends as Ctrl-C ends it, through
    # the same stopping sequence. SIGINT itself is not sent here: a test run started where
    # SIGINT is ignored (a background job) hands that to the preview, which then never hears it.
    _, _, proc = preview
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Traceback" not in err and out.rstrip().endswith("preview stopped")
