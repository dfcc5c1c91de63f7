"""The schema every row of a data file is validated against (pydantic).

Cells are text unless the schema types them; the value goes through the same parser that
explains thousands separators, full-width digits and units typed into the cell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field,
                      ValidationError, ValidationInfo, field_validator)

from .statistics import (KEY_RE, MAX_CELL_CHARS, NO_PERIOD, PERIOD_RE, TERM_RE,
                         parse_number, shown)
from .textfiles import plain_text_fault

__all__ = ["MAX_LISTED_FAULTS", "Observation", "ValidationError", "row_faults"]


def _text(text: str) -> str:
    """A text cell: of bounded length, and plain, since the editions print it as typed."""
    if len(text) > MAX_CELL_CHARS:
        raise ValueError(f"'{shown(text)}' has {len(text)} characters: a cell may have at"
                         f" most {MAX_CELL_CHARS}")
    if fault := plain_text_fault(text):
        raise ValueError(fault)
    return text


def _key(text: str) -> str:
    if not KEY_RE.match(text):
        raise ValueError(f"'{shown(text)}' is not a valid key (lower-case letters, digits"
                         " and _ , starting with a letter)")
    return text


def _period(text: str) -> str:
    if text in ("", NO_PERIOD):
        return text  # the words, or that there are none, are checked with period_label
    if not PERIOD_RE.match(text):
        raise ValueError(f"'{shown(text)}' is not a period (write 2013, 2023-06, 2023-H1,"
                         " 2013/2022 or 2023-01/2023-10; a period the text gives in words"
                         " goes in the period_label column, with this cell left empty)")
    start, _, end = text.partition("/")
    if end and _sortable(end) < _sortable(start):
        raise ValueError(f"'{text}' ends before it starts: write the earlier period first")
    return text


def _worded_period(text: str) -> str:
    if text and PERIOD_RE.match(text):
        raise ValueError(f"'{text}' is a period: write it in the period column"
                         " (period_label is for a period the text gives in words)")
    if text == NO_PERIOD:
        raise ValueError(f"'{NO_PERIOD}' (no period) belongs in the period column")
    return text


def _sortable(point: str) -> tuple:
    """2023 → (2023, 1), 2023-06 → (2023, 6), 2023-H2 → (2023, 7): where a period starts."""
    year, _, sub = point.partition("-")
    month = 1 if not sub else (1 if sub == "H1" else 7 if sub == "H2" else int(sub))
    return int(year), month


def _number(cell: object) -> object:
    return parse_number(cell) if isinstance(cell, str) else cell


class Observation(BaseModel):
    """One row of a data file, as the rest of the package may trust it."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True,
                              strict=False)

    key: Annotated[str, AfterValidator(_text), AfterValidator(_key)]
    # Optional columns (statistics.OPTIONAL_COLUMNS): empty when the file lacks them. The
    # period's words come before the period, which is checked against them.
    period_label: Annotated[str, AfterValidator(_text),
                            AfterValidator(_worded_period)] = Field("", validate_default=True)
    period: Annotated[str, AfterValidator(_period)]
    value: Annotated[Decimal, BeforeValidator(_number)]
    unit: Annotated[str, AfterValidator(_text)]
    label: Annotated[str, AfterValidator(_text)]
    section: Annotated[str, AfterValidator(_text)]
    derived: Annotated[str, AfterValidator(_text)] = Field("", validate_default=True)

    @field_validator("period")
    @classmethod
    def _one_period(cls, period: str, info: ValidationInfo) -> str:
        """A row has one period: a real one, the text's words, or - for none."""
        words = info.data.get("period_label")
        if words is None:
            return period  # the words have a fault of their own
        if period == NO_PERIOD and words:
            raise ValueError(f"says {NO_PERIOD} (no period), and period_label words one"
                             f" ('{shown(words)}'): keep one of them")
        if period == "" and not words:
            raise ValueError("is empty: write the period (2013, 2023-06 …), or the words the"
                             " text gives for it in a period_label column, or"
                             f" {NO_PERIOD} when the text gives none")
        return period

    @field_validator("derived")
    @classmethod
    def _derivation(cls, text: str) -> str:
        """A sum or difference of references; load_statistics checks that it makes the
        value."""
        if not text:
            return text
        pos = 0
        for m in TERM_RE.finditer(text):
            if m.start() != pos or (pos > 0 and not m[1]):
                break
            pos = m.end()
        if pos != len(text) or pos == 0:
            raise ValueError(f"'{shown(text)}' is not a sum or difference of references"
                             " (e.g. total@2023 - added@2013/2023)")
        return text


# More faults than this in one file are counted, not listed.
MAX_LISTED_FAULTS = 20


def row_faults(error: ValidationError) -> list[tuple[str, str]]:
    """(column, message) for each fault pydantic found in a row, in our words where we
    raised them."""
    faults = []
    for item in error.errors(include_url=False):
        column = str(item["loc"][0]) if item["loc"] else ""
        cause = (item.get("ctx") or {}).get("error")
        faults.append((column, str(cause) if isinstance(cause, ValueError) else item["msg"]))
    return faults
