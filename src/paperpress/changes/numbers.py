"""Every number that changed: from the model's list of its numbers (key, period, value and
where each appears) when both models carry one, else read from the text that changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from .textdiff import Change, changed_numbers


@dataclass
class NumberChange:
    key: str
    period: str
    old: str        # as the text prints it; "" when the number is new
    new: str        # "" when it is gone
    where: list[str] = field(default_factory=list)


def _place(entry: dict) -> str:
    parts = [str(entry.get(k)) for k in ("section", "place") if entry.get(k)]
    return " — ".join(parts) or str(entry.get("block", ""))


def _by_key(numbers: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for entry in numbers:
        if entry.get("source") == "data" and entry.get("key"):
            out.setdefault((str(entry["key"]), str(entry.get("period") or "")), []).append(entry)
    return out


def _shown(entries: list[dict]) -> str:
    e = entries[0]
    return str(e.get("text") or e.get("value", ""))


def data_number_changes(old: list[dict], new: list[dict]) -> list[NumberChange]:
    """Numbers drawn from the data whose value changed, or that came or went, by key and
    period, each with every place it appears in the new text (the old, when gone)."""
    before, after = _by_key(old), _by_key(new)
    out = []
    for key, entries in after.items():
        was = before.get(key)
        if was is None:
            out.append(NumberChange(*key, "", _shown(entries), _places(entries)))
        elif (was[0].get("value"), was[0].get("unit")) != (entries[0].get("value"),
                                                           entries[0].get("unit")):
            out.append(NumberChange(*key, _shown(was), _shown(entries), _places(entries)))
    for key, entries in before.items():
        if key not in after:
            out.append(NumberChange(*key, _shown(entries), "", _places(entries)))
    return out


def _places(entries: list[dict]) -> list[str]:
    return list(dict.fromkeys(_place(e) for e in entries))


def text_number_changes(changes: list[Change], known: set[str] = frozenset()) -> list[NumberChange]:
    """Numbers replaced in the text that changed (one row per old -> new, with every unit
    it was replaced in), leaving out those ``known`` already (the data's, by new text)."""
    rows: dict[tuple[str, str], NumberChange] = {}
    for change in changes:
        if change.status != "changed":
            continue
        for old, new in changed_numbers(change):
            if new in known:
                continue
            row = rows.setdefault((old, new), NumberChange("", "", old, new))
            unit = change.unit
            place = " — ".join(dict.fromkeys(p for p in (unit.section, unit.owner) if p))
            place = place or unit.kind
            if unit.line:
                place += f" (text.md:{unit.line})"
            if place not in row.where:
                row.where.append(place)
    return list(rows.values())


def number_changes(old_model: dict, new_model: dict,
                   changes: list[Change]) -> tuple[list[NumberChange], bool]:
    """(the numbers that changed, whether they came from the models' lists of numbers)."""
    if isinstance(old_model.get("numbers"), list) and isinstance(new_model.get("numbers"), list):
        data = data_number_changes(old_model["numbers"], new_model["numbers"])
        known = {n.new for n in data}
        return data + text_number_changes(changes, known), True
    return text_number_changes(changes), False
