"""Reading the editors' stylesheets: only inlined (data:) resources.

The editions are self-contained: the HTML edition inlines its stylesheets, and the PDF
renderer has no base address to resolve a relative url() against. WeasyPrint drops such a
url() with a warning (a background, a list bullet, a font gone from the page) and the web
edition keeps it, pointing nowhere; so a stylesheet that names any other file or address is
refused where it does so.

The pagination settings (custom properties such as ``--float-gap``, pagination.SETTINGS) are
checked here too: WeasyPrint takes any custom property and any value, so a misspelt name or
a share out of range would quietly turn a setting off or shrink a chart to nothing.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import tinycss2

from .errors import SourceError
from .pagination import SETTINGS
from .textfiles import read_text_file


# CSS functions whose string arguments are images to load.
IMAGE_FUNCTIONS = ("image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade")


def read_stylesheet(path: Path) -> str:
    """The stylesheet's text, refused if it loads anything but a data: URL."""
    path = Path(path)
    css = read_text_file(path)
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for line, what, url in _resources(rules):
        if not url.lower().startswith("data:"):
            raise SourceError(path, f"{what} '{url}': editions use only inlined resources:"
                                    " write it as a data: URL, or delete it", line=line)
    check_settings(path, css)
    return css


# The settings' names as written, and the prefixes that name nothing else.
_KNOWN = {"--" + name: name for name in SETTINGS}
_PREFIXES = tuple(sorted({"--" + name.split("-")[0] + "-" for name in SETTINGS}))


def check_settings(path: Path, css: str | None = None) -> None:
    """Refuse a pagination setting that is not one (a name with its prefix, or close to
    one's), or whose value is not a single percentage within its range."""
    path = Path(path)
    if css is None:
        css = read_text_file(path)
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for declaration in _declarations(rules):
        name = declaration.name
        if not name.startswith("--"):
            continue
        value = tinycss2.serialize(declaration.value).strip()
        if name not in _KNOWN:
            close = difflib.get_close_matches(name.lower(), _KNOWN, n=1, cutoff=0.8)
            if close:
                raise SourceError(path, f"{name}: {value} — no such setting: did you mean"
                                        f" {close[0]}?", line=declaration.source_line)
            if name.startswith(_PREFIXES):
                raise SourceError(path, f"{name}: {value} — no such setting: the settings"
                                        f" are {', '.join(_KNOWN)}",
                                  line=declaration.source_line)
            continue
        low, high, what, why = SETTINGS[_KNOWN[name]]
        tokens = [t for t in declaration.value if t.type not in ("whitespace", "comment")]
        if not (len(tokens) == 1 and tokens[0].type == "percentage"
                and low <= tokens[0].value / 100 <= high):
            raise SourceError(path, f"{name}: {value} — {what} from {low:.0%} to {high:.0%}"
                                    f"{why}", line=declaration.source_line)


def _declarations(rules):
    """Every declaration in parsed CSS, those of @media, @supports, @page… included."""
    for rule in rules:
        if rule.type == "declaration":
            yield rule
        elif rule.type in ("qualified-rule", "at-rule") and rule.content is not None:
            yield from _declarations(tinycss2.parse_blocks_contents(
                rule.content, skip_comments=True, skip_whitespace=True))


def _resources(nodes):
    """(line, what, URL) for every url() and @import in parsed CSS, nested ones included."""
    for node in nodes:
        kind = node.type
        if kind == "url":
            yield node.source_line, "url() of", node.value
        elif kind == "function":
            if node.lower_name == "url":
                strings = [a for a in node.arguments if a.type == "string"]
                yield node.source_line, "url() of", strings[0].value if strings else ""
            elif node.lower_name in IMAGE_FUNCTIONS:
                # A string there is an address a browser fetches, as url() is.
                for argument in node.arguments:
                    if argument.type == "string":
                        yield node.source_line, f"{node.lower_name}() of", argument.value
                yield from _resources(node.arguments)
            else:
                yield from _resources(node.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _resources(node.content)
        elif kind == "at-rule":
            if node.lower_at_keyword == "namespace":
                continue  # a name, which nothing fetches
            if node.lower_at_keyword == "import":
                strings = [t for t in node.prelude if t.type == "string"]
                if strings:
                    yield node.source_line, "@import of", strings[0].value
            yield from _resources(node.prelude)
            yield from _resources(node.content or [])
        elif kind == "qualified-rule":
            yield from _resources(node.prelude)
            yield from _resources(node.content)
