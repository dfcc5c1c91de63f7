"""What the text says, old and new: the render model flattened into text units (headings,
paragraphs, list items, captions, table rows, notes, key figures), the units aligned, and
each changed unit diffed by words (by characters in a language written without spaces).

Works on the model as JSON (dicts), not on ``model.Document``: the model of the release a
report compares with was written by an earlier version of the package, and a field added
or dropped since must not stop the report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Unit:
    """One piece of text a reader sees as a whole."""

    kind: str      # heading, paragraph, item, caption, row, note, key_figure, title
    text: str
    section: str   # the heading it stands under ("" before the first)
    line: int = 0  # in text.md
    owner: str = ""  # the table, figure or panel it belongs to: "Table 2", "Key figures"


@dataclass
class Change:
    """A unit added (old None), removed (new None) or changed; ``ops`` the token diff."""

    old: Unit | None
    new: Unit | None
    ops: list[tuple[str, str]] = field(default_factory=list)  # (equal|insert|delete, text)

    @property
    def status(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    @property
    def unit(self) -> Unit:
        return self.new or self.old


def _spans_text(spans) -> str:
    return "".join(s.get("text", "") for s in spans)


def units(model: dict) -> list[Unit]:
    """The model's text in reading order, each piece with the heading it stands under."""
    out: list[Unit] = []
    meta = model.get("meta", {})
    for name in ("title", "subtitle"):
        if meta.get(name):
            out.append(Unit("title", str(meta[name]), ""))
    section = [""]

    def add(kind, text, line=0, owner=""):
        text = " ".join(str(text).split()) if _spaced(model) else str(text).strip()
        if text:
            out.append(Unit(kind, text, section[0], line, owner))

    def walk(blocks, item=False):
        for b in blocks:
            kind, line = b.get("kind"), b.get("line", 0)
            if kind == "heading":
                section[0] = b.get("text", "")
                add("heading", b.get("text", ""), line)
            elif kind == "paragraph":
                add("item" if item else "paragraph", _spans_text(b.get("spans", [])), line)
            elif kind == "list":
                for entry in b.get("items", []):
                    walk(entry, item=True)
            elif kind == "quote":
                walk(b.get("blocks", []), item)
            elif kind == "box":
                add("caption", f"{b.get('label', '')} {b.get('title', '')}", line)
                walk(b.get("blocks", []))
            elif kind in ("figure", "image"):
                add("caption", f"{b.get('label', '')} {b.get('caption', '')}", line)
            elif kind == "table":
                if b.get("caption"):
                    add("caption", f"{b.get('label', '')} {b['caption']}", line)
                for row in b.get("header", []) + b.get("rows", []):
                    add("row", " | ".join(_spans_text(cell) for cell in row), line,
                        b.get("label") or b.get("caption") or section[0])
            elif kind == "key_figures":
                colon = ": " if _spaced(model) else "："
                for k in model.get("key_figures", []):
                    add("key_figure", f"{k.get('label', '')}{colon}{k.get('number', '')}"
                                      f"{k.get('unit_separator', '')}{k.get('unit', '')}"
                                      f"{k.get('period_note', '')}", line,
                        model.get("strings", {}).get("key_figures", ""))

    walk(model.get("blocks", []))
    section[0] = model.get("strings", {}).get("notes", "")
    for note in model.get("notes", []):
        add("note", f"{note.get('number')}. "
                    + " ".join(_spans_text(p) for p in note.get("paragraphs", [])),
            note.get("line", 0))
    return out


def _spaced(model: dict) -> bool:
    """Whether the language writes spaces between words (not Chinese or Japanese)."""
    return not str(model.get("meta", {}).get("lang", "")).lower().startswith(("zh", "ja"))


# A number with its separators is one token (3,518.1 changed to 3,520.4 reads as one
# replacement); in a spaced language a word is one, elsewhere each character is.
_NUMBER = r"[-−]?\d(?:[\d,.]*\d)?%?"
_WORDS = re.compile(_NUMBER + r"|\w+(?:[’'-]\w+)*|\s+|.", re.S)
_CHARACTERS = re.compile(_NUMBER + r"|[A-Za-z]+|\s+|.", re.S)


def tokens(text: str, spaced: bool = True) -> list[str]:
    return (_WORDS if spaced else _CHARACTERS).findall(text)


def token_diff(old: str, new: str, spaced: bool = True) -> list[tuple[str, str]]:
    """``old`` -> ``new`` as runs of (equal|insert|delete, text), a replaced run as its
    deletion then its insertion."""
    a, b = tokens(old, spaced), tokens(new, spaced)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                ops.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                ops.append(("insert", "".join(b[j1:j2])))
    return ops


# Two units are one changed unit, not one removed and one added, when this much of them
# is the same.
SIMILAR = 0.5
# How many old units a new one is compared with, from the last one paired: a text
# rewritten at length stays a linear amount of work (the rest shows as added and removed).
LOOK_AHEAD = 12


def diff_units(old: list[Unit], new: list[Unit], spaced: bool = True) -> list[Change]:
    """The units added, removed and changed from ``old`` to ``new``, in reading order."""
    def key(u: Unit):
        return (u.kind, u.text)

    changes: list[Change] = []
    matcher = SequenceMatcher(None, [key(u) for u in old], [key(u) for u in new],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changes += _pair(old[i1:i2], new[j1:j2], spaced)
    return changes


def _pair(olds: list[Unit], news: list[Unit], spaced: bool) -> list[Change]:
    """A run of units replaced by another: each new unit paired, in order, with the first
    old unit of its kind left that is similar enough; the rest added or removed."""
    out: list[Change] = []
    i = 0
    for unit in news:
        match = None
        for k in range(i, min(len(olds), i + LOOK_AHEAD)):
            if olds[k].kind == unit.kind and _similarity(olds[k].text, unit.text, spaced) >= SIMILAR:
                match = k
                break
        if match is None:
            out.append(Change(None, unit))
            continue
        out += [Change(o, None) for o in olds[i:match]]
        out.append(Change(olds[match], unit, token_diff(olds[match].text, unit.text, spaced)))
        i = match + 1
    out += [Change(o, None) for o in olds[i:]]
    return out


def _similarity(a: str, b: str, spaced: bool) -> float:
    matcher = SequenceMatcher(None, tokens(a, spaced), tokens(b, spaced), autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0  # cheap upper bounds: not similar enough, without the full comparison
    return matcher.ratio()


def text_diff(old_model: dict, new_model: dict) -> list[Change]:
    spaced = _spaced(new_model)
    return diff_units(units(old_model), units(new_model), spaced)


def changed_numbers(change: Change) -> list[tuple[str, str]]:
    """The numbers a changed unit replaced, (old, new), paired in order within each run
    replaced: what the report lists when the model carries no list of its numbers."""
    pairs = []
    ops = change.ops
    for k, (tag, text) in enumerate(ops):
        if tag != "delete" or k + 1 >= len(ops) or ops[k + 1][0] != "insert":
            continue
        old = re.findall(_NUMBER, text)
        new = re.findall(_NUMBER, ops[k + 1][1])
        pairs += list(zip(old, new))
    return pairs
