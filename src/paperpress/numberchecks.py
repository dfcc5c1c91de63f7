"""Two checks of the numbers the editor typed, against the publication's data.

* A typed number that IS a data value: the same value printed with the same unit
  (typed "4168列" while connectivity.csv has cer_trains_cumulative 4168 列). When the data
  change, the typed copy will not: the placeholder should print it. A value of one or two
  significant digits (5.1%, 60%, 3条) matches some row by chance: it counts only when its
  sentence names that row's label, as below.
* A typed number the data CONTRADICT: typed with a data unit, in a sentence that names a
  data row's label before it (with no other number of that unit between the two), and
  equal to none of the values the data give under that label and unit, whatever the
  period ("贸易规模达3500亿元" while bri_trade is 3518.1亿元 or 664.4亿元).

Both read only what the model lists (``Document.numbers``) and the data: a number without
a unit (a year, a date, a count of chapters) is never compared, and a label is matched as
the data file writes it (or without its bracketed part, 中欧班列（长沙）累计开行 →
中欧班列累计开行), so the checks are quiet unless the sentence itself says what it counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .model import Box, Document, Figure, Heading, Image, ListBlock, Paragraph, Quote, Table
from .provenance import NUMBER_RE, unit_after

# Where a sentence ends: Chinese full stops and semicolons, a Latin one before a space, a
# line (paragraph, list item, table cell) end.
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=[.])(?=\s)|\n")
_BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)")
# A typed value with fewer significant digits than this (5.1%, 60%) equals some data value
# by chance: it is compared only when its sentence names the row.
DISTINCTIVE_DIGITS = 3
# A label shorter than this names nothing in particular ("总额", "Total").
MIN_LABEL_CHARS = {"cjk": 3, "latin": 6}


@dataclass
class NumberWarning:
    number: int        # index in Document.numbers
    file: str
    line: int
    check: str         # "typed_data_value" or "contradicted"
    message: str       # English, one line, for the build's output
    facts: list = field(default_factory=list)  # the data rows concerned
    label: str = ""    # what the sentence named (contradicted)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def placeholder(fact, stats) -> str:
    """The placeholder that prints ``fact``: {{ key }} when the key has one period."""
    periods = [f for f in stats.facts if f.key == fact.key]
    return f"{{{{ {fact.key} }}}}" if len(periods) == 1 else \
        f"{{{{ {fact.key}@{fact.period_id} }}}}"


def check_numbers(doc: Document, stats) -> list[NumberWarning]:
    """The warnings for a model's typed numbers, in reading order."""
    by_value: dict[tuple, list] = {}
    by_unit: dict[str, list] = {}
    for fact in stats.facts:
        by_value.setdefault((fact.value, fact.unit), []).append(fact)
        by_unit.setdefault(fact.unit, []).append(fact)
    sentences = number_sentences(doc)
    warnings = []
    for index, number in enumerate(doc.numbers):
        if number.source != "typed" or not number.unit:
            continue
        value = _decimal(number.value)
        if value is None:
            continue
        sentence, offset = sentences[index]
        same = by_value.get((value, number.unit), [])
        if same and not distinctive(number.value):
            # 5.1%, 60%, 3条 match some row by chance: only when the sentence names it.
            named = _named_label(sentence, offset, number.unit, same) if sentence else None
            same = named[1] if named else []
        if same:
            first = same[0]
            others = f" (and {len(same) - 1} more rows)" if len(same) > 1 else ""
            warnings.append(NumberWarning(
                index, number.file, number.line, "typed_data_value",
                f"{number.text} is typed, and the data hold it: {_row(first)}{others}:"
                f" write {placeholder(first, stats)} so that it follows the data",
                facts=same))
            continue
        if not sentence:
            continue
        named = _named_label(sentence, offset, number.unit, by_unit.get(number.unit, []))
        if named is None:
            continue
        label, facts = named
        shown = ", ".join(f"{_row(f)} {f.value}{f.unit}" for f in facts[:3])
        warnings.append(NumberWarning(
            index, number.file, number.line, "contradicted",
            f"{number.text} is typed where the sentence names '{label}', which the data give"
            f" as {shown}: check the number, or print it with a placeholder",
            facts=facts, label=label))
    return warnings


def distinctive(value: str) -> bool:
    """Whether a value has digits enough not to equal a data value by chance: 4168, 34.65,
    1.55 (three significant digits or more); not 5.1, 60, 3."""
    digits = value.replace(".", "").lstrip("0")
    return len(digits) >= DISTINCTIVE_DIGITS


def _row(fact) -> str:
    period = f"@{fact.period_id}" if fact.period_id else ""
    return f"{fact.path.rsplit('/', 1)[-1]}:{fact.line} {fact.key}{period}"


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _named_label(sentence: str, offset: int, unit: str, facts: list):
    """The data label the sentence names before ``offset`` (the nearest), and its facts,
    when no number of ``unit`` stands between the label and the typed one."""
    best = None
    for fact in facts:
        for label in _label_forms(fact.label):
            at = sentence.rfind(label, 0, offset) if not label.isascii() else \
                sentence.lower().rfind(label.lower(), 0, offset)
            if at < 0:
                continue
            between = sentence[at + len(label):offset]
            if any(unit_after(between[m.end():], [unit])[0] for m in NUMBER_RE.finditer(between)):
                continue  # another number of that unit is what the label names
            if best is None or at > best[0]:
                best = (at, fact.label)
    if best is None:
        return None
    label = best[1]
    same = [f for f in facts if f.label == label]
    return label, same


def _label_forms(label: str) -> list[str]:
    forms = {label.strip(), _BRACKETED.sub("", label).strip()}
    out = []
    for form in forms:
        latin = form.isascii()
        if len(form) >= MIN_LABEL_CHARS["latin" if latin else "cjk"]:
            out.append(form)
    return out


def number_sentences(doc: Document) -> list[tuple[str, int]]:
    """For each number of the model, the sentence it is printed in and where in it
    (("", 0) where it cannot be placed)."""
    found: list[tuple[str, int]] = [("", 0)] * len(doc.numbers)
    groups: dict = {}
    for index, number in enumerate(doc.numbers):
        key = ("block", number.block) if number.block is not None else (number.place,)
        groups.setdefault(key, []).append(index)
    for key, indexes in groups.items():
        text = _group_text(doc, key)
        if text is None:
            continue
        pos = 0
        for index in indexes:
            runs = list(NUMBER_RE.finditer(doc.numbers[index].text))
            if not runs:
                continue
            m = NUMBER_RE.search(text, pos)
            if m is None or m[0] != runs[0][0]:
                break  # the text and the list part ways: leave the rest unplaced
            start = m.start()
            for run in runs:
                m = NUMBER_RE.search(text, pos)
                if m is None or m[0] != run[0]:
                    break
                pos = m.end()
            found[index] = _sentence_at(text, start)
    return found


def _sentence_at(text: str, at: int) -> tuple[str, int]:
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.start() > at:
            return text[start:m.start()].strip("\n"), at - start
        start = m.end()
    return text[start:], at - start


def _group_text(doc: Document, key) -> str | None:
    if key[0] == "block":
        return "\n".join(_texts(doc.blocks[key[1]]))
    if key == ("note",):
        return "\n".join(_spans_text(p) for note in doc.notes for p in note.paragraphs)
    if key == ("cover",):
        return "\n".join(str(doc.meta.get(k) or "") for k in ("title", "subtitle", "date"))
    return None


def _spans_text(spans) -> str:
    # The pipeline's own labels (图3, a note's number) are not among the numbers.
    return "".join("" if s.ref or s.note else s.text for s in spans)


def _texts(block):
    """A block's printed text, in order, a line each paragraph, cell, caption."""
    if isinstance(block, Heading):
        yield block.text
    elif isinstance(block, Paragraph):
        yield _spans_text(block.spans)
    elif isinstance(block, ListBlock):
        for item in block.items:
            for b in item:
                yield from _texts(b)
    elif isinstance(block, Quote):
        for b in block.blocks:
            yield from _texts(b)
    elif isinstance(block, Box):
        yield block.title
        for b in block.blocks:
            yield from _texts(b)
    elif isinstance(block, Table):
        yield block.caption
        yield from (_spans_text(cell) for row in block.header + block.rows for cell in row)
        yield block.source
    elif isinstance(block, (Figure, Image)):
        yield block.caption
        yield block.source
