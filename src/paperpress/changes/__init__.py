"""The change report: what a reviewer reads before signing a release off.

Every publish that makes a new release writes ``changes.html`` into it: this release
compared with the last approved one (``paperpress approve``), else with the previous one;
one self-contained HTML file (pages and charts as data: URLs, styles inline). The release
also keeps what the next report compares with: the render model (``document.json``) and
its PDF pages' signatures (``pages.json``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

REPORT = "changes.html"
MODEL = "document.json"
PAGES = "pages.json"
# Made at publish from the other files of the release: a release with the same editions
# and model is the same release, whatever these say.
DERIVED = (REPORT, PAGES)
# Published beside the editions but not editions: no page count of theirs is reported.
NOT_EDITIONS = (MODEL, "numbers.html")
TEMPLATE = "changes.html.j2"


@dataclass
class Baseline:
    """The release a report compares with."""

    release: Path
    approved: str = ""  # when it was approved ("" when it is merely the previous one)


def release_date(name: str) -> str:
    """A release's time from its name (20261202T172032Z-…): 2026-12-02 17:20 UTC."""
    try:
        t = time.strptime(name[:16], "%Y%m%dT%H%M%SZ")
    except ValueError:
        return name
    return time.strftime("%Y-%m-%d %H:%M UTC", t)


def _json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _screen_pdfs(files: list[Path]) -> list[Path]:
    """The PDF editions whose pages are compared: the screen ones (a press edition is the
    same pages with bleed and marks)."""
    return [f for f in files if f.suffix == ".pdf" and not f.stem.endswith("-press")]


def write_change_report(files: list[Path], baseline: Baseline | None, templates: Path,
                        out_dir: Path) -> list[Path]:
    """Write ``changes.html`` and ``pages.json`` into ``out_dir`` for the release of
    ``files`` (editions and ``document.json``); return their paths."""
    from ..atomic import write_text
    from ..templating import render_template
    from .figures import figure_changes
    from .numbers import number_changes
    from .pages import compare_pdf, page_count
    from .textdiff import text_diff

    files = [Path(f) for f in files]
    by_name = {f.name: f for f in files}
    new_model = _json(by_name[MODEL]) if MODEL in by_name else None
    if new_model is None:
        raise FileNotFoundError(f"{MODEL}: a change report needs the release's model")
    old = baseline.release if baseline is not None else None
    old_model = _json(old / MODEL) if old is not None else None
    old_pages = (_json(old / PAGES) or {}) if old is not None else {}

    text, numbers, numbers_listed, figures = [], [], False, []
    if old_model is not None:
        text = text_diff(old_model, new_model)
        numbers, numbers_listed = number_changes(old_model, new_model, text)
        figures = figure_changes(old_model, new_model, old / "whitepaper.html",
                                 by_name.get("whitepaper.html"))

    signatures, editions = {}, []
    for pdf in _screen_pdfs(files):
        was = old / pdf.name if old is not None and (old / pdf.name).is_file() else None
        stored = old_pages.get(pdf.name, {}).get("signatures")
        compared = compare_pdf(pdf, was, stored)
        signatures[pdf.name] = {"pages": compared.new_count, "signatures": compared.signatures}
        editions.append(compared)
    counts = []
    for f in files:
        if f.name in NOT_EDITIONS:
            continue
        new_count = signatures.get(f.name, {}).get("pages") or page_count(f)
        old_count = None
        if old is not None and (old / f.name).is_file():
            old_count = old_pages.get(f.name, {}).get("pages") or page_count(old / f.name)
        counts.append({"edition": f.name, "old": old_count, "new": new_count,
                       "was_published": old is not None and (old / f.name).is_file(),
                       "removed": False})
    if old is not None:  # editions the release compared with had and this one has not
        for entry in (_json(old / "manifest.json") or {}).get("files", []):
            name = entry.get("file", "")
            if name not in by_name and name not in DERIVED + NOT_EDITIONS:
                counts.append({"edition": name, "old": old_pages.get(name, {}).get("pages"),
                               "new": None, "was_published": True, "removed": True})
    for f in files:  # the press editions' counts, kept for the next report
        if f.suffix == ".pdf" and f.name not in signatures:
            signatures[f.name] = {"pages": next(c["new"] for c in counts
                                                if c["edition"] == f.name)}

    strings = new_model.get("strings", {})
    context = {
        "s": strings, "meta": new_model.get("meta", {}),
        "baseline": None if old is None else {
            "release": old.name, "date": release_date(old.name),
            "approved": baseline.approved, "has_model": old_model is not None},
        "text": text, "numbers": numbers, "numbers_listed": numbers_listed,
        "figures": figures, "tables": _table_changes(text),
        "pages": editions, "counts": counts,
    }
    out_dir = Path(out_dir)
    report = out_dir / REPORT
    write_text(report, render_template(Path(templates), TEMPLATE, context))
    pages = out_dir / PAGES
    write_text(pages, json.dumps(signatures, indent=0) + "\n")
    return [report, pages]


def _table_changes(text) -> list[dict]:
    """The tables whose rows changed, each with how many rows were added, removed and
    changed (the rows themselves are in the text's list)."""
    tables: dict[str, dict] = {}
    for change in text:
        unit = change.unit
        if unit.kind == "row":
            entry = tables.setdefault(unit.owner, {"label": unit.owner, "added": 0,
                                                   "removed": 0, "changed": 0})
            entry[change.status] += 1
    return list(tables.values())
