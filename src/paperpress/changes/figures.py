"""Which charts and pictures changed: the web edition carries each one inline (a data: URL
in its <figure>), so two releases' web editions are compared figure by figure, matched by
the chart (or picture file) the model says the figure shows, not by its number."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

_FIGURE = re.compile(r'<figure class="(?:chart|picture)" id="([^"]+)">(.*?)</figure>', re.S)
_IMG = re.compile(r'<img\b[^>]*?\bsrc="(data:[^"]+)"', re.S)


@dataclass
class FigureChange:
    label: str      # as the new edition numbers it (the old one when removed)
    caption: str
    status: str     # changed, added, removed
    old_src: str = ""
    new_src: str = ""


def figure_sources(web_edition: Path) -> dict[str, str]:
    """Each figure's anchor -> the data: URL the web edition draws it from."""
    found = {}
    text = Path(web_edition).read_text(encoding="utf-8")
    for anchor, body in _FIGURE.findall(text):
        img = _IMG.search(body)
        if img:
            found[anchor] = html.unescape(img.group(1))
    return found


def _figures(model: dict) -> dict[str, dict]:
    """What each figure of the model shows (chart id, picture file) -> the figure."""
    out = {}

    def walk(blocks):
        for b in blocks:
            if b.get("kind") == "figure":
                out[f"chart:{b.get('chart')}"] = b
            elif b.get("kind") == "image":
                out[f"image:{b.get('src')}"] = b
            walk(b.get("blocks", []))
            for item in b.get("items", []):
                walk(item)

    walk(model.get("blocks", []))
    return out


def figure_changes(old_model: dict, new_model: dict, old_web: Path | None,
                   new_web: Path | None) -> list[FigureChange]:
    old, new = _figures(old_model), _figures(new_model)
    old_src = figure_sources(old_web) if old_web and Path(old_web).is_file() else {}
    new_src = figure_sources(new_web) if new_web and Path(new_web).is_file() else {}
    changes = []
    for key, fig in new.items():
        src = new_src.get(fig.get("anchor"), "")
        if key not in old:
            changes.append(FigureChange(fig.get("label", ""), fig.get("caption", ""),
                                        "added", new_src=src))
            continue
        before = old_src.get(old[key].get("anchor"), "")
        if before != src or old[key].get("caption") != fig.get("caption"):
            changes.append(FigureChange(fig.get("label", ""), fig.get("caption", ""),
                                        "changed", before, src))
    for key, fig in old.items():
        if key not in new:
            changes.append(FigureChange(fig.get("label", ""), fig.get("caption", ""),
                                        "removed", old_src=old_src.get(fig.get("anchor"), "")))
    return changes
