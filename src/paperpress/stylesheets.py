"""Reading the editors' stylesheets: only inlined (data:) resources.

The editions are self-contained: the HTML edition inlines its stylesheets, and the PDF
renderer has no base address to resolve a relative url() against. WeasyPrint drops such a
url() with a warning (a background, a list bullet, a font gone from the page) and the web
edition keeps it, pointing nowhere; so a stylesheet that names any other file or address is
refused where it does so.
"""

from __future__ import annotations

from pathlib import Path

import tinycss2

from .errors import SourceError
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
    return css


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
