"""Numbers in a table's columns aligned on the decimal point, decided in the model.

A right-aligned column of 12.5, 3 and 140.25 lines its last digits up, not its points. The
model pads each number of such a column to the column's most decimals: a FIGURE SPACE
(U+2007, as wide as a digit) for each decimal it lacks, and a PUNCTUATION SPACE (U+2008,
as wide as the point) where it has no point at all, so that every edition that prints the
cell's text with tabular figures (the PDF and web editions, the Word edition) shows the
points in one line: 12.5␣, 3␣␣␣, 140.25. Only cells that hold a number alone, or a number
followed by the same unit as every other number of the column (50.1%), are padded; a
column whose numbers carry different units is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .model import Box, ListBlock, Quote, Table

FIGURE_SPACE = "\u2007"
PUNCTUATION_SPACE = "\u2008"


def align_decimals(blocks: list, symbols: tuple[str, str, str]) -> None:
    """Pad the numbers of every right-aligned table column in ``blocks`` (boxes, quotes and
    lists included), in place. ``symbols``: the language's decimal point, thousands
    separator and minus sign."""
    for block in blocks:
        if isinstance(block, Table):
            _align_table(block, symbols)
        elif isinstance(block, (Box, Quote)):
            align_decimals(block.blocks, symbols)
        elif isinstance(block, ListBlock):
            for item in block.items:
                align_decimals(item, symbols)


def _number_re(symbols: tuple[str, str, str]) -> re.Pattern:
    point, group, minus = (re.escape(s) for s in symbols)
    groups = "".join(sorted({group, re.escape("\u00a0"), re.escape("\u202f")}))
    return re.compile(rf"(?P<number>[+\-{minus}]?\d[\d{groups}]*(?:{point}(?P<decimals>\d+))?)"
                      rf"(?P<unit>\D*)")


def _align_table(table: Table, symbols) -> None:
    number = _number_re(symbols)
    for column, align in enumerate(table.align):
        if align != "right":
            continue
        cells = []
        for row in table.rows:
            cell = row[column] if column < len(row) else []
            # A number alone in its cell: one plain span (no note call, link or reference).
            if len(cell) == 1 and not (cell[0].note or cell[0].ref or cell[0].href):
                match = number.fullmatch(cell[0].text)
                if match:
                    cells.append((row, match))
        if not cells or len({m["unit"] for _, m in cells}) > 1:
            continue
        most = max(len(m["decimals"] or "") for _, m in cells)
        if not most:
            continue
        for row, match in cells:
            have = len(match["decimals"] or "")
            pad = ("" if match["decimals"] else PUNCTUATION_SPACE) + FIGURE_SPACE * (most - have)
            span = row[column][0]
            row[column][0] = replace(span, text=match["number"] + pad + match["unit"])
