"""The editor's loop: a bare `snakemake` builds as `make publish` does (profile, stale lock,
incomplete files), and the console shows progress and each problem once, as
`error: FILE:LINE: message`, with the full log on disk and the run's record in
build/logs/last-run.json (the logger plugin, src/snakemake_logger_plugin_paperpress/).

One small project (the Chinese bulletin) is built once, by the first bare `snakemake`; the
other runs change one thing in it, run the few steps that touch, and put it back."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, copy_project, jobs_run, last_run, snakemake

from paperpress.stalelock import _is_snakemake, _workdir, clear_stale_lock
from snakemake_logger_plugin_paperpress.run import (Run, error_entry, errors_in_log,
                                                    snakemake_error, step_label)

PUB = "bulletin-zh"
CSV = f"sources/{PUB}/data/economy.csv"
# What the console must never show an editor: Snakemake's job dump, a traceback, the
# package's or the libraries' files.
NOISE = re.compile(r"Traceback|^\s*rule \w+:|src/paperpress|site-packages|/snakemake/"
                   r"|\.smk", re.M)


def bare_snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`snakemake` as an editor types it in the project: no --cores, no options."""
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=project,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})


def error_lines(console: str) -> list[str]:
    return [line for line in console.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project holding the Chinese bulletin alone, built by a bare `snakemake` that finds
    the lock a killed build left (kill -9): (project, that run)."""
    project = tmp_path_factory.mktemp("editor-loop")
    for name in ("Snakefile", "profiles", "workflow", "src", "templates"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, project / name)
    shutil.copytree(REPO / "tests" / "fixtures" / PUB, project / "sources" / PUB)
    locks = project / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.output.lock").write_text(str(project / "build"), encoding="utf-8")
    return project, bare_snakemake(project)


@pytest.fixture
def project(built) -> Path:
    return built[0]


# A bare snakemake ---------------------------------------------------------------------------

def test_bare_snakemake_clears_a_stale_lock_and_builds_every_publication(built):
    project, result = built
    assert result.returncode == 0, result.stderr[-3000:]
    console = result.stderr.splitlines()
    assert "Removed the lock an interrupted build left behind." in console
    assert not list((project / ".snakemake" / "locks").glob("*"))
    assert (project / "output" / PUB / "whitepaper.pdf").is_file()
    # One line per step, counted: [n/m] publication: step.
    steps = [line for line in console if line.startswith("[")]
    total = len(steps)
    assert steps[0] == f"[1/{total}] {PUB}: document model"
    assert steps[-1] == f"[{total}/{total}] {PUB}: published in output/{PUB}"
    assert any(re.fullmatch(rf"\[\d+/{total}\] {PUB}: PDF \(whitepaper\)", s) for s in steps)
    assert re.fullmatch(rf"Published: {PUB}\. Full log: build/logs/\S+\.log", console[-1])
    assert not NOISE.search(result.stderr), result.stderr
    record = last_run(project)
    assert record["ok"] is True and record["errors"] == []
    assert {j["status"] for j in record["jobs"]} == {"done"} and len(record["jobs"]) == total + 1
    log = (project / record["log"]).read_text(encoding="utf-8")
    assert "rule document_model:" in log and "Finished jobid" in log  # Snakemake's detail


def test_bare_snakemake_redoes_a_file_an_interrupted_build_left_incomplete(project):
    # A build stopped half-way marks what it was writing incomplete (Snakemake 9's marker:
    # the path, base64, in .snakemake/incomplete/): the next run makes it again, unasked.
    incomplete = f"build/{PUB}/brief.preflight.txt"
    marker = (project / ".snakemake" / "incomplete"
              / base64.urlsafe_b64encode(incomplete.encode()).decode())
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text('{"external_jobid": null}', encoding="utf-8")
    result = bare_snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    assert jobs_run(project) == {"preflight[brief]", "publish", "all"}
    assert not marker.exists()


def test_a_lock_held_by_a_running_snakemake_is_left_alone(tmp_path):
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x", encoding="utf-8")
    # A process that looks like a snakemake working in that directory (`sleep` under the
    # name snakemake: Popen returns once it runs).
    other = subprocess.Popen(["snakemake", "30"], executable="sleep", cwd=tmp_path)
    cmdline = Path(f"/proc/{other.pid}/cmdline")
    for _ in range(100):  # until it shows under that name (at most a few ms as a rule)
        if cmdline.read_bytes().startswith(b"snakemake\0"):
            break
        time.sleep(0.05)
    try:
        assert clear_stale_lock(tmp_path) == 0
        assert list(locks.glob("*"))
    finally:
        other.kill()
        other.wait()
    assert clear_stale_lock(tmp_path) == 1 and not list(locks.glob("*"))


def test_which_command_lines_are_a_snakemake_and_where_it_works(tmp_path):
    assert _is_snakemake(["/v/bin/python", "-m", "snakemake", "--cores", "1"])
    assert _is_snakemake(["/v/bin/python3.11", "-u", "/v/bin/snakemake"])
    assert _is_snakemake(["/v/bin/snakemake", "-n"])
    assert not _is_snakemake(["python", "-m", "pytest", "-k", "snakemake"])
    assert not _is_snakemake(["make", "publish"])
    assert _workdir(["snakemake", "--directory", "p"], tmp_path) == tmp_path / "p"
    assert _workdir(["snakemake", "-d", "/x"], tmp_path) == Path("/x")
    assert _workdir(["snakemake"], tmp_path) == tmp_path


def test_the_profile_and_make_publish_run_the_same_build():
    profile = (REPO / "profiles" / "default" / "profile.yaml").read_text(encoding="utf-8")
    for setting in ("cores: all", "rerun-incomplete: true", "scheduler: greedy",
                    "keep-going: true", "logger: [paperpress]"):
        assert re.search(rf"^{re.escape(setting)}$", profile, re.M), setting
    # As a user's shell runs it: not as a sub-make of `make test` (MAKELEVEL, MAKEFLAGS).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    make = subprocess.run(["make", "-n", "--no-print-directory", "-W", "pyproject.toml",
                           "-o", "setup", "publish"], cwd=REPO, capture_output=True,
                          text=True, env=env)
    assert make.stdout.strip().splitlines()[-1] == ".venv/bin/snakemake"
    make = subprocess.run(["make", "-n", "--no-print-directory", "-o", "setup", "publish",
                           "CORES=3"], cwd=REPO, capture_output=True, text=True, env=env)
    assert make.stdout.strip().splitlines()[-1] == ".venv/bin/snakemake --cores 3"


# Errors an editor reads ---------------------------------------------------------------------

def test_a_bad_csv_value_is_one_line_naming_file_and_row(project):
    csv = project / CSV
    good = csv.read_text(encoding="utf-8")
    assert "\ngdp,2022,2571.9," in good
    csv.write_text(good.replace("\ngdp,2022,2571.9,", "\ngdp,2022,25x71.9,"),
                   encoding="utf-8")
    try:
        result = snakemake(project, PUB)  # its model and its chart both read the file
    finally:
        csv.write_text(good, encoding="utf-8")
    assert result.returncode == 1
    console = result.stderr + result.stdout
    expected = f"{CSV}:3: column 'value': '25x71.9' is not a number"
    assert error_lines(console) == [f"error: {expected}"], console
    assert not NOISE.search(console), console
    last = console.strip().splitlines()[-1]
    assert re.fullmatch(rf"Not published: {PUB}\. Full log: \S+/build/logs/\S+\.log", last)

    record = last_run(project)
    assert record["ok"] is False
    assert record["errors"] == [{"file": CSV, "line": 3,
                                 "message": "column 'value': '25x71.9' is not a number",
                                 "text": expected}]
    assert {(j["rule"], j["status"]) for j in record["jobs"]} >= {("document_model", "failed")}
    # The full log holds what Snakemake says, with the failed step's own output.
    log = (project / record["log"]).read_text(encoding="utf-8")
    assert "Error in rule document_model" in log and f"error: {expected}" in log
    assert last.endswith(record["log"])


def test_a_fault_in_a_template_two_publications_share_is_listed_once(project):
    # A second publication, for this test alone: the bulletin again under another name.
    other = "bulletin-zh-again"
    shutil.copytree(project / "sources" / PUB, project / "sources" / other)
    template = project / "templates" / "html" / "brief.html.j2"
    good = template.read_text(encoding="utf-8")
    template.write_text(good.replace("{{ brief.title }}</div>", "{{ brief.title }</div>"),
                        encoding="utf-8")
    pubs = [PUB, other]
    try:
        result = snakemake(project, *[f"build/{p}/brief.html" for p in pubs])
        # The next run stops there again, though each failed step's HTML is gone and the
        # brief's PDFs from before are still there.
        (project / "build" / other / "brief.pdf").write_bytes(b"%PDF from before")
        again = snakemake(project, *[f"build/{p}/brief.pdf" for p in pubs])
    finally:
        template.write_text(good, encoding="utf-8")
        shutil.rmtree(project / "sources" / other)
    assert result.returncode == 1
    console = result.stderr + result.stdout
    errors = error_lines(console)
    assert len(errors) == 1 and errors[0].startswith(
        "error: templates/html/brief.html.j2:"), console
    assert not NOISE.search(console), console
    assert sorted(re.findall(r"^\[failed\] (\S+): HTML \(brief\)$", console, re.M)) == pubs
    assert f"Not published: {', '.join(pubs)}." in console
    assert error_lines(again.stderr) == errors and again.returncode == 1, again.stderr
    record = last_run(project)
    assert [e["text"] for e in record["errors"]] == [errors[0].removeprefix("error: ")]
    assert sorted(j["wildcards"]["pub"] for j in record["jobs"]
                  if j["status"] == "failed") == pubs


def test_a_bad_file_reference_before_any_job_is_one_line_and_recorded(project):
    spec = project / "sources" / PUB / "charts" / "gdp-trend.yaml"
    good = spec.read_text(encoding="utf-8")
    spec.write_text(good.replace("economy.csv", "economy.cvs"), encoding="utf-8")
    try:
        result = bare_snakemake(project)
    finally:
        spec.write_text(good, encoding="utf-8")
    assert result.returncode == 1
    expected = (f"sources/{PUB}/charts/gdp-trend.yaml:4: data file 'economy.cvs' does not"
                f" exist (looked for sources/{PUB}/data/economy.cvs)")
    assert error_lines(result.stderr) == [f"error: {expected}"], result.stderr
    assert not NOISE.search(result.stderr), result.stderr
    record = last_run(project)
    # The publication's build is that one step, which fails saying so (other publications
    # would build: see the next test).
    assert [e["text"] for e in record["errors"]] == [expected]
    assert record["jobs"] == [{"rule": "sources_fault", "wildcards": {"pub": PUB},
                               "status": "failed"}]


def test_a_fault_in_one_publications_sources_does_not_hold_back_another(tmp_path):
    project = copy_project(tmp_path)
    shutil.rmtree(project / "sources")
    good, bad = project / "sources" / "good", project / "sources" / "bad"
    for folder in (good, bad):
        folder.mkdir(parents=True)
        (folder / "text.md").write_text(
            "---\ntitle: T\nissuer: I\ndate: D\nlang: en\n---\n\n# One\n\nText.\n",
            encoding="utf-8")
    (good / "publication.yaml").write_text("", encoding="utf-8")
    (bad / "publication.yaml").write_text("key_figure: []\n", encoding="utf-8")
    for args in (("-n", "good"), ("-n",)):
        result = snakemake(project, *args)
        said, errors = result.stdout + result.stderr, error_lines(result.stderr)
        # The fault is said once; the good publication's steps are planned all the same.
        assert result.returncode == 0 and len(errors) == 1, result.stderr
        assert errors[0].startswith("error: sources/bad/publication.yaml:1: unknown setting")
        assert "document_model" in said and ("sources_fault" in said) == ("good" not in args)


# The plugin's parts, without Snakemake ------------------------------------------------------

def test_a_failed_steps_log_gives_each_fault_of_a_file_as_its_own_error():
    log = ("error: sources/p/data/a.csv:3: column 'value': 'x' is not a number\n"
           "sources/p/data/a.csv:7: column 'period': 'y' is not a period\n"
           "... and 2 more\n")
    assert [(e["file"], e["line"], e["message"]) for e in errors_in_log(log)] == [
        ("sources/p/data/a.csv", 3, "column 'value': 'x' is not a number"),
        ("sources/p/data/a.csv", 7, "column 'period': 'y' is not a period ... and 2 more")]
    assert error_entry("templates/docx/w.docx: is a macro file") == {
        "file": "templates/docx/w.docx", "line": None, "message": "is a macro file",
        "text": "templates/docx/w.docx: is a macro file"}
    assert error_entry("/p/sources/a/text.md:4: bad", Path("/p"))["text"] == \
        "sources/a/text.md:4: bad"


def test_a_step_that_crashes_is_named_with_its_logs_last_line():
    run = Run(Path("/p"))
    run.started(3, "pdf", {"pub": "a", "edition": "brief"}, ["build/a/logs/pdf-brief.log"])
    logs = {"build/a/logs/pdf-brief.log": "Traceback (most recent call last):\n  File x\n"
                                          "KeyError: 'page'\n"}
    assert run.job_failed(3, read=logs.__getitem__) == "[failed] a: PDF (brief)"
    assert [e["text"] for e in run.errors.values()] == [
        "build/a/logs/pdf-brief.log: PDF (brief) failed: KeyError: 'page'"]
    assert run.record("build/logs/x.log")["jobs"] == [
        {"rule": "pdf", "wildcards": {"pub": "a", "edition": "brief"}, "status": "failed"}]


def test_progress_counts_the_steps_and_not_the_targets():
    run = Run(Path("/p"))
    run.set_total({"chart": 2, "publish": 1, "all": 1, "a": 1, "total": 5}, ["a"])
    run.started(1, "chart", {"pub": "a", "chart": "trade"}, [])
    run.started(2, "all", {}, [])
    assert run.finished(1) == "[1/3] a: chart trade"
    assert run.finished(2) is None
    assert step_label("check_editions", {"pub": "a", "edition": "brief"}) == \
        "check_editions (brief)"


def test_a_snakemake_error_is_one_line_without_its_traceback():
    message = ('InputFunctionException in rule chart in file "/x/charts.smk", line 9:\n'
               "Error:\n  ValueError: sources/a/charts/b.yaml: no such chart\n"
               "Wildcards:\n  pub=a\nTraceback:\n  File \"/x/common.smk\", line 3\n")
    assert snakemake_error(message) == "ValueError: sources/a/charts/b.yaml: no such chart"
    assert snakemake_error("MissingRuleException:\nNo rule to produce x.") == \
        "No rule to produce x."


def test_pdfs_made_from_an_html_edition_a_failed_step_removed_go_with_it(tmp_path):
    from paperpress.stale import clear_products_of_missing_html

    made = ["whitepaper.html", "whitepaper.pdf", "brief.pdf", "brief-press.pdf",
            "brief.layout.json", "brief-press.preflight.txt", "release.json", "document.json"]
    for name in made:
        (tmp_path / name).write_text("x", encoding="utf-8")
    cleared = clear_products_of_missing_html(tmp_path)
    assert sorted(p.name for p in cleared) == ["brief-press.pdf", "brief-press.preflight.txt",
                                               "brief.layout.json", "brief.pdf",
                                               "release.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["document.json", "whitepaper.html",
                                                          "whitepaper.pdf"]
    assert clear_products_of_missing_html(tmp_path) == []  # no brief: nothing to clear


def test_the_run_record_is_the_documented_contract(tmp_path):
    run = Run(tmp_path)
    run.add_error(error_entry("sources/a/text.md:4: bad"))
    run.add_error(error_entry("sources/a/text.md:4: bad"))  # a second job, the same fault
    record = json.loads(json.dumps(run.record("build/logs/t.log")))
    assert record == {"ok": False, "log": "build/logs/t.log", "jobs": [], "warnings": [],
                      "errors": [{"file": "sources/a/text.md", "line": 4, "message": "bad",
                                  "text": "sources/a/text.md:4: bad"}]}


def test_a_warning_of_a_step_that_went_through_is_listed_once_at_the_end(tmp_path):
    warning = "sources/a/text.md:7: warning: 41 is typed, and the data hold it"
    run = Run(tmp_path)
    for jobid, pub in ((1, "a"), (2, "b")):  # the same warning in two steps' logs
        log = tmp_path / f"numbers-{pub}.log"
        log.write_text(f"{warning}\n", encoding="utf-8")
        run.started(jobid, "numbers", {"pub": pub}, [str(log)])
        run.finished(jobid)
    lines = run.summary("build/logs/t.log", ["a", "b"])
    assert lines.count(warning) == 1 and lines.index(warning) == 0
    assert run.record("build/logs/t.log")["warnings"] == [warning]
