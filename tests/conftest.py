from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parent.parent
PUB = "hunan-bri-2023"
SOURCES = REPO / "sources" / PUB
# The seed text the white paper was set from, byte for byte as it was handed over: the
# fidelity tests compare every edition against it, so it travels with the tests.
SEED = Path(__file__).resolve().parent / "fixtures" / "seed-hunan-bri-2023.txt"


_WORKERS = tempfile.mkdtemp(prefix="paperpress-test-workers-")


def pytest_configure(config):
    """The builds in the tests use the warm worker as editors' builds do, but their own:
    its socket folder is made for this session and its workers stop when it ends."""
    os.environ["PAPERPRESS_WORKER_DIR"] = _WORKERS


def pytest_unconfigure(config):
    for socket_file in Path(_WORKERS).glob("*.sock"):
        socket_file.unlink()  # a worker leaves within a second of its socket going
    shutil.rmtree(_WORKERS, ignore_errors=True)


def seed_paragraphs() -> list[str]:
    """The seed's headings and paragraphs, in order, as the editions must carry them.

    The seed's three title lines go to the cover (front matter); its spaced heading
    "前  言" is the heading 前言.
    """
    lines = [l.strip() for l in SEED.read_text(encoding="utf-8").splitlines()]
    lines = [l for l in lines if l]
    assert lines[2] == "（白皮书）"
    return [re.sub(r"\s+", "", l) if l.replace(" ", "") == "前言" else l
            for l in lines[3:]]


def squash(text: str) -> str:
    """Text with all white space removed: PDF extraction breaks lines anywhere in Chinese."""
    return re.sub(r"\s+", "", text)


def without_figure_references(text: str) -> str:
    """The text as the seed has it: the editions add references such as （见图3）."""
    return re.sub(r"（见图\d+）", "", text)


def copy_project(dest: Path) -> Path:
    for name in ("Snakefile", "profiles", "workflow", "src", "sources", "templates", "tools"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    for name in ("figures", "output"):
        (dest / name).mkdir(exist_ok=True)
    return dest


def snakemake(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Snakemake run on ``project`` as the profile sets it up, with this checkout's
    package and logger plugin on the import path (Snakemake looks the plugin up there
    before it reads the profile), whatever PYTHONPATH ``env`` sets."""
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(REPO / "src"))
                                        if p)
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--snakefile",
         str(project / "Snakefile"), "--directory", str(project), *args],
        capture_output=True, text=True, timeout=600, env=env)


def last_run(project: Path) -> dict:
    """The record the last Snakemake run in ``project`` wrote (the logger plugin,
    src/snakemake_logger_plugin_paperpress/): ok, errors, log, jobs."""
    return json.loads((project / "build" / "logs" / "last-run.json").read_text(encoding="utf-8"))


def jobs_run(project: Path) -> set[str]:
    """The jobs the last Snakemake run in ``project`` executed, as 'rule' or
    'rule[wildcard]' names (the chart, edition or PDF a job made)."""
    jobs = set()
    for job in last_run(project)["jobs"]:
        extra = [v for k, v in job["wildcards"].items() if k in ("chart", "edition", "pdf")]
        jobs.add(f"{job['rule']}[{','.join(extra)}]" if extra else job["rule"])
    return jobs


PUBLISHED = ("hunan-bri-2023", "northwind-harbour-2025", "bulletin-zh")


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """A copy of the project with the two bundled publications and the Chinese bulletin
    (tests/fixtures/bulletin-zh), built once for the tests that read every published
    edition (PDF/UA check, page images)."""
    sys.path.insert(0, str(REPO / "tools"))
    import pageimages

    return pageimages.build_publications(tmp_path_factory.mktemp("published"), list(PUBLISHED))


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless chromium for the session (Debian's, with its chromedriver: `make test`
    installs both)."""
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert chromium and driver_path, ("chromium and chromium-driver are not installed:"
                                      " `make test` installs them (TEST_PACKAGES)")
    options = Options()
    options.binary_location = chromium
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()
