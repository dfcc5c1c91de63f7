"""Load and validate a publication's tidy statistics: the one place numbers are typed.

Every data file is a UTF-8 CSV with one observation per row::

    key,period,value,unit,label,section
    bri_trade,2013,664.4,亿元,与共建国家贸易额,一（三）

Values are kept as ``Decimal`` so that the prose shows a number with exactly the decimals the
data file types (``34.50`` stays ``34.50``), while charts take it as a float. How a number,
a unit and a period are printed is the publication's language's (``locale.Locale``): a Fact
holds the values as typed, never their printed form.

Each row is validated against ``schema.Observation``, a pydantic schema: every cell stays text
unless the schema types it (a code such as ``010`` keeps its zeros), and every fault of
every row is reported at once, with its file, line, column and value, so that the person
who sent the file can fix it in one go.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import SourceError
from .textfiles import read_text_file

REQUIRED_COLUMNS = ("key", "period", "value", "unit", "label", "section")
# Optional columns: a period the text gives in words ("十年来", "over ten years"), printed
# as typed in place of the period; and a value worked out from others of the same file
# ("friendship_cities_total - friendship_cities_new"), checked at load and marked as
# derived wherever a chart or table shows it.
OPTIONAL_COLUMNS = ("period_label", "derived")
# In the period column: the text gives the number without any period.
NO_PERIOD = "-"
# Bounds on what a publication's data may hold: far more than any chart or appendix shows
# (the appendix has a bound of its own, document.MAX_APPENDIX_ROWS). A value has at most
# as many digits as a chart can draw exactly (a float holds 15).
MAX_DATA_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_DIGITS = 15
# Characters in a text cell (key, unit, label, section): a label is a phrase. The unit is
# printed after every number the text cites: a 100,000-character unit cited 3,000 times
# made a 900 MB document model.
MAX_CELL_CHARS = 200
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# ISO 8601-like periods: a year, a month, a half year, or an interval of either.
_POINT = r"[0-9]{4}(?:-(?:0[1-9]|1[0-2]|H[12]))?"
PERIOD_RE = re.compile(rf"^{_POINT}(?:/{_POINT})?$")
# What may follow the @ of a reference: a period (2023-06), a worded period without spaces
# (十年来), or - for a value the text gives without a period.
REF_PERIOD = r"[^\s@{}|+]+"
REF_RE = re.compile(rf"^(?P<key>[a-z][a-z0-9_]*)(?:@(?P<period>{REF_PERIOD}))?$")
# A sum or difference of references, one term at a time: "a@2023 - b".
TERM_RE = re.compile(rf"\s*([+-])?\s*([a-z][a-z0-9_]*(?:@{REF_PERIOD})?)\s*")


@dataclass(frozen=True)
class Fact:
    """One observation: a value with its unit and period, and where it was typed."""

    key: str
    period: str
    value: Decimal
    unit: str
    label: str
    section: str
    path: str
    line: int
    period_label: str = ""  # the period in the text's words, printed as typed
    derived: str = ""       # how the value was worked out: references summed or subtracted

    def __float__(self) -> float:
        return float(self.value)

    @property
    def period_id(self) -> str:
        """What names the row's period in a reference: the period, else its words, else
        - (no period given)."""
        return self.period or self.period_label or NO_PERIOD


class Statistics:
    """All facts of a publication, looked up by ``key`` or ``key@period``."""

    def __init__(self, facts: list[Fact]):
        self.facts = facts
        self._by_key: dict[str, dict[str, Fact]] = {}
        for fact in facts:
            self._by_key.setdefault(fact.key, {})[fact.period_id] = fact

    def __contains__(self, ref: str) -> bool:
        try:
            self.resolve(ref)
        except LookupError:
            return False
        return True

    def resolve(self, ref: str) -> Fact:
        """Find the fact a reference names; ``LookupError`` says what exists instead."""
        match = REF_RE.match(ref.strip())
        if not match:
            raise LookupError(f"'{ref}' is not a data reference (expected key or key@period)")
        key, period = match["key"], match["period"]
        periods = self._by_key.get(key)
        if periods is None:
            raise LookupError(f"no data has the key '{key}'")
        if period is None:
            if len(periods) == 1:
                return next(iter(periods.values()))
            raise LookupError(
                f"'{key}' has several periods ({', '.join(sorted(periods))}): "
                f"write {key}@PERIOD")
        if period not in periods:
            raise LookupError(
                f"'{key}' has no period '{period}' (it has {', '.join(sorted(periods))})")
        return periods[period]

    def terms(self, expr: str) -> list[tuple[int, Fact]]:
        """The references of a sum or difference (``a@2023 - b``), each with its sign;
        LookupError names a reference the data lack or a term that is not one."""
        terms, pos = [], 0
        for m in TERM_RE.finditer(expr):
            if m.start() != pos or (pos > 0 and not m[1]):
                break
            pos = m.end()
            terms.append((-1 if m[1] == "-" else 1, self.resolve(m[2])))
        if pos != len(expr) or not terms:
            raise LookupError(f"'{shown(expr)}' is not a data reference or a sum/difference"
                              " of references")
        return terms


def parse_number(text: str) -> Decimal:
    """A plain decimal number; anything else (units, separators, words) is refused."""
    cleaned = text.strip()
    if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", cleaned):
        raise ValueError(_why_not_a_number(cleaned))
    # Every digit counts but the leading zeros of the whole part: 0.0…01 with 100,000
    # zeros is printed with all of them.
    whole, _, fraction = cleaned.lstrip("-").partition(".")
    digits = len(whole.lstrip("0")) + len(fraction)
    if digits > MAX_DIGITS:
        raise ValueError(f"'{cleaned[:20]}…' has {digits} digits: a value may have at most"
                         f" {MAX_DIGITS} (round it, or give it in a larger unit)")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above already guards this
        raise ValueError(f"'{text}' is not a number") from None


def _why_not_a_number(text: str) -> str:
    if text == "":
        return "is empty: every row needs a value"
    if len(text) > MAX_CELL_CHARS:
        return f"'{shown(text)}' is not a number"
    if re.fullmatch(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", text):
        return f"'{text}' has thousands separators: write {text.replace(',', '')}"
    if any("０" <= ch <= "９" or ch == "．" for ch in text):
        return f"'{text}' uses full-width digits: write it with ASCII digits 0-9"
    if m := re.fullmatch(r"(-?[0-9]+(?:\.[0-9]+)?)\s*(\D+)", text):
        return (f"'{text}' has a unit in the number cell: write {m[1]} and put '{m[2]}'"
                " in the unit column")
    return f"'{text}' is not a number"


def shown(text: str, limit: int = 30) -> str:
    """A cell as a message quotes it: a long one cut short."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def load_statistics(paths: list[Path]) -> Statistics:
    """Load every data file. A file with faults stops the load with all of them (file,
    line, column, value); a key and period given twice names both rows."""
    facts: list[Fact] = []
    seen: dict[tuple[str, str], Fact] = {}
    for path in sorted(paths):
        for fact in _load_csv(Path(path)):
            if len(facts) == MAX_ROWS:
                raise SourceError(fact.path, f"the publication's data files hold more than"
                                             f" {MAX_ROWS} rows: keep the data the editions"
                                             " show, and publish the rest as a data file",
                                  line=fact.line)
            previous = seen.get((fact.key, fact.period_id))
            if previous is not None:
                raise SourceError(fact.path, f"duplicate key '{fact.key}' for period"
                                  f" '{fact.period_id}' (first at {previous.path}:{previous.line})",
                                  line=fact.line)
            seen[(fact.key, fact.period_id)] = fact
            facts.append(fact)
    return Statistics(facts)


def _load_csv(path: Path) -> list[Fact]:
    # Imported here: pydantic costs 0.1 s a process, and the steps that only read the
    # document model (HTML, Word, preflight) never load a data file.
    from .schema import MAX_LISTED_FAULTS, Observation, ValidationError, row_faults

    text = read_text_file(path, MAX_DATA_BYTES)
    if not text.strip():
        raise SourceError(path, "is empty: a data file needs a header row and at least one row")
    rows = _csv_rows(path, text)
    header = [h.strip() for h in next(rows, (1, []))[1]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SourceError(path, f"header lacks column(s) {', '.join(missing)}"
                                f" (it has: {', '.join(shown(h) for h in header)})", line=1)
    doubled = sorted({h for h in header if h and header.count(h) > 1})
    if doubled:
        raise SourceError(path, f"header names column(s) {', '.join(shown(h) for h in doubled)} twice", line=1)
    facts: list[Fact] = []
    faults: list[tuple[int, str, str]] = []
    for line, raw in rows:
        if not any(cell.strip() for cell in raw):
            continue  # a blank or white-space-only line
        if len(raw) != len(header):
            raise SourceError(path, f"has {len(header)} columns in the header but {len(raw)}"
                                    " in this row", line=line)
        try:
            row = Observation.model_validate(dict(zip(header, raw)))
        except ValidationError as exc:
            faults += [(line, column, message) for column, message in row_faults(exc)]
            continue
        facts.append(Fact(key=row.key, period="" if row.period == NO_PERIOD else row.period,
                          value=row.value, unit=row.unit, label=row.label,
                          section=row.section, path=str(path), line=line,
                          period_label=row.period_label, derived=row.derived))
    if faults:
        line, column, message = faults[0]
        more = [f"{path}:{ln}: column '{col}': {msg}" for ln, col, msg in
                faults[1:MAX_LISTED_FAULTS]]
        if len(faults) > MAX_LISTED_FAULTS:
            more.append(f"... and {len(faults) - MAX_LISTED_FAULTS} more")
        raise SourceError(path, "\n".join([message, *more]), line=line, column=column)
    if not facts:
        raise SourceError(path, "has a header but no data rows")
    _check_derived(path, facts)
    return facts


def _check_derived(path: Path, facts: list[Fact]) -> None:
    """A derived value must be what its references, in the same file, make."""
    derived = [f for f in facts if f.derived]
    if not derived:
        return
    stats = Statistics(facts)
    for fact in derived:
        try:
            terms = stats.terms(fact.derived)
        except LookupError as exc:
            raise SourceError(path, f"{exc} (a derived value is worked out"
                                    " from values of the same file)", line=fact.line,
                              column="derived") from None
        if any(term is fact for _, term in terms):
            raise SourceError(path, f"'{shown(fact.derived)}' uses the"
                                    " value itself", line=fact.line, column="derived")
        made = sum((sign * term.value for sign, term in terms), Decimal(0))
        if made != fact.value:
            raise SourceError(path, f"'{shown(fact.derived)}' makes {made},"
                                    f" not {fact.value}", line=fact.line, column="derived")


def _csv_rows(path: Path, text: str):
    """(line, cells) for each row of a CSV file; a file the csv module cannot read names
    the line where the row it stopped in starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                # The usual cause: a quote that opens a cell and is never closed, which
                # makes the rest of the file one cell.
                raise SourceError(path, f"a cell from this line on runs past"
                                        f" {csv.field_size_limit()} characters: is a quote"
                                        " (\") left open?", line=start) from None
            raise SourceError(path, f"cannot be read as CSV from this line on: {exc}",
                              line=start) from None
        # line_num is where the row ends; a quoted cell may span lines, so count back.
        yield reader.line_num - sum(cell.count("\n") for cell in raw), raw
