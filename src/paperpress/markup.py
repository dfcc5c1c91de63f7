"""The Markdown parser for the text, and the Markdown the editions refuse to publish.

The parser recognises more than the editions render (raw HTML, strikethrough, code) so
that each can be refused by name: a construct the parser did not know would reach the PDF
as literal characters, an HTML comment with an internal note among them.
"""

from __future__ import annotations

import re
from string import Template

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

# What the editions do not publish, by parser token type, and what to write instead.
# $found is the construct as the text has it. An HTML comment is told apart from other
# HTML (see ``construct``).
REFUSED = {
    "html_comment": "an HTML comment (<!-- … -->) would be published as text: delete it,"
                    " or keep internal notes outside $file",
    "html": "raw HTML ($found) is not published: write Markdown (**bold**, *italic*),"
            " or \\< for a literal '<'",
    "s_open": "~~strikethrough~~ is not published: delete the text, or keep it without ~~",
    "code_block": "a line indented by four spaces is a code block: remove the indent (the"
                  " editions indent paragraphs themselves)",
    "fence": "a code block (```) is not published: write the text as a paragraph",
    "hr": "a thematic break ($found) is not published: start a new section with a heading,"
          " or delete the line",
    "code_inline": "inline code (`…`) is not published as code: write the text without"
                   " backticks",
}
# Link syntax markdown-it leaves as text, which the editions would print as typed: a link
# or image to an address it refuses (file:, javascript:), and a link reference definition
# (the parser has those off). Square brackets alone ([注], 【注】) are text.
WRITTEN_LINK_RE = re.compile(r"(?<!\\)\]\(")
# An autolink whose scheme the parser refuses (<file:///…>) stays text, brackets and all.
WRITTEN_AUTOLINK_RE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>")
REFERENCE_DEFINITION_RE = re.compile(r"^\s*(?P<found>\[(?!\^)(?:[^\]\\]|\\.)+\]:)")
REFERENCE_DEFINITION = ("a line starting '$found' reads as a link reference definition"
                        " ([label]: …), which is not published: write the colon full-width"
                        " ($full) or the note in brackets （…）")
LINK_ADDRESS = ("a link may go to an https:, http: or mailto: address only (nothing else is"
                " published as a link): write the full address, or {{ see id }} to point at"
                " a figure, table, box or section")
IMAGE_ADDRESS = ("an image must be a file of the publication's folder, e.g."
                 " ![alt](images/photo.png \"Caption\")")
UNSUPPORTED = Template("uses Markdown that the editions do not support ($found): see the"
                       " list of what a text may hold in docs/writing.md")


def markdown_parser() -> MarkdownIt:
    # Link reference definitions are off: a line such as "[注]: 数据来自统计局" would
    # otherwise vanish from every edition without a word. Footnote definitions stay where
    # the text has them (not moved to the end), so that their line is known; a reference
    # to an undefined footnote is still a footnote reference, not the text "[^1]".
    # Boxes are '::: box Title {#id}' containers; attributes in braces after an image
    # give its id, source and width.
    return (MarkdownIt("commonmark", {"html": True})
            .use(front_matter_plugin)
            .use(cjk_friendly)
            .use(footnote_plugin, move_to_end=False, always_match_refs=True)
            .use(container_plugin, "box")
            .use(attrs_plugin, after=("image",))
            .enable(["table", "strikethrough"])
            .disable("reference"))


def construct(token: Token) -> str:
    """The key of ``REFUSED`` for a token: its type, but HTML comments apart."""
    if token.type in ("html_block", "html_inline"):
        return "html_comment" if token.content.lstrip().startswith("<!--") else "html"
    return token.type


def found(token: Token) -> str:
    """The construct as the text writes it, where a message shows it (or a line is sought)."""
    if token.type in ("html_block", "html_inline"):
        first = token.content.strip().splitlines()[0]
        end = first.find(">")
        return first[: end + 1] if 0 <= end < 40 else first[:40]
    if token.type == "footnote_ref":
        label = (token.meta or {}).get("label")
        return f"[^{label}]" if label is not None else "^[…]"
    if token.type == "hr":  # markdown-it's markup for *** is '****'
        return token.markup[0] * 3
    if token.type == "footnote_reference_open":
        return f"[^{token.meta['label']}]: …"
    return token.markup


def written_link(line: str) -> str | None:
    """What to tell an editor whose source ``line`` writes out a link or image that the
    parser left as text; None when it writes none (or escapes its brackets)."""
    m = WRITTEN_LINK_RE.search(line)
    if m is None:
        return None
    opening = line.rfind("[", 0, m.start())
    is_image = opening > 0 and line[opening - 1] == "!"
    return IMAGE_ADDRESS if is_image else LINK_ADDRESS


def written_autolink(text: str) -> str | None:
    """What to tell an editor whose text holds an autolink the parser left as text."""
    return LINK_ADDRESS if WRITTEN_AUTOLINK_RE.search(text) else None


def reference_definition(line: str) -> str | None:
    """What to tell an editor whose paragraph ``line`` reads as a link reference
    definition ([注]: …), printed as typed; None when it does not."""
    m = REFERENCE_DEFINITION_RE.match(line)
    if m is None:
        return None
    return Template(REFERENCE_DEFINITION).safe_substitute(
        found=m["found"], full=m["found"][:-1] + "：")


def refusal(token: Token, file: str) -> str:
    """What to tell an editor whose text has ``token``: what it is, what to write instead."""
    message = REFUSED.get(construct(token))
    if message is None:
        name = token.type.removesuffix("_open")
        return UNSUPPORTED.safe_substitute(found=name)
    return Template(message).safe_substitute(found=found(token), file=file)
