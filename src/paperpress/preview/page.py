"""The served page: the kept web edition with the preview's bar, error panel and reload
script (bar.html) put in before its </body>, in the words of the publication's language
(the 'preview:' part of templates/locales/<lang>.yaml)."""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path

import yaml

# The front matter's "lang:" line, before the line that closes the front matter.
FRONT_MATTER_LANG = re.compile(r"\A---\s*\n(?:(?!---).*\n)*?lang:\s*[\"']?([A-Za-z-]+)")


def source_lang(source: Path) -> str:
    """The ``lang:`` of a publication's text.md front matter (en when it says none)."""
    try:
        head = (source / "text.md").read_text(encoding="utf-8")[:4000]
    except OSError:
        return "en"
    m = FRONT_MATTER_LANG.match(head)
    return m[1] if m else "en"


def preview_words(templates: Path, lang: str) -> dict:
    """The preview's words for ``lang``, the English ones where its locale has none."""
    words: dict = {}
    for name in ("en", lang):
        try:
            raw = yaml.safe_load((templates / "locales" / f"{name}.yaml").read_text(
                encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        part = raw.get("preview") if isinstance(raw, dict) else None
        if isinstance(part, dict):
            words.update({str(k): str(v) for k, v in part.items()})
    return words


def bar(version: int, pdf_version: int, words: dict) -> str:
    # In a <script> element nothing may close it early: "</" is written "<\/".
    words_json = json.dumps(words, ensure_ascii=False).replace("</", "<\\/")
    snippet = resources.files(__package__).joinpath("bar.html").read_text(encoding="utf-8")
    return (snippet.replace("__VERSION__", str(version))
            .replace("__PDF_VERSION__", str(pdf_version)).replace("__WORDS__", words_json))


def inject(page: bytes, snippet: str) -> bytes:
    """``page`` with ``snippet`` before its last </body> (at its end if it has none)."""
    text = page.decode("utf-8", errors="replace")
    at = text.lower().rfind("</body>")
    text = text + snippet if at < 0 else text[:at] + snippet + text[at:]
    return text.encode("utf-8")


def waiting_page(lang: str, words: dict, snippet: str) -> bytes:
    """What is shown before the first good web edition: the bar and the errors alone."""
    title = html.escape(words.get("waiting", ""))
    return (f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body><p style=\"margin:45vh 1em 0;text-align:center;"
            f"font:18px sans-serif\">{title}</p>"
            f"{snippet}</body></html>").encode("utf-8")
