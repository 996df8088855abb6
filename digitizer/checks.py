"""Stage 7: evaluate the layout's arithmetic relations (勾稽关系) on the mapped cells.

A failing relation is data in the report, never an exception. A relation whose cells are not all
read is `skip`.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from .layouts import Layout, Relation
from .types import CheckResult, CheckStatus, ValueCell


def _expand(patterns: tuple[str, ...], keys: list[str]) -> list[str]:
    out: list[str] = []
    for pattern in patterns:
        out.extend(k for k in keys if fnmatchcase(k, pattern) and k not in out)
    return out


def _side(names: list[str], values: list) -> str:
    shown = " + ".join("?" if v is None else str(_tidy(v)) for v in values)
    return f"{' + '.join(names)} ({shown})"


def written(key: str, lhs: list[str], lhs_values: list, rhs: list[str], rhs_values: list, minus: str = "") -> str:
    """A relation written out with its values for one key; an unread value is "?"."""
    return f"{key}: {_side(lhs, lhs_values)} = {_side(rhs, rhs_values)}{minus}"


def _evaluate(relation: Relation, key: str, cells: dict[tuple[str, str], ValueCell], lhs: list[str], rhs: list[str]) -> CheckResult | None:
    def coordinate(name: str) -> tuple[str, str]:
        return (name, key) if relation.per == "col" else (key, name)

    involved = [coordinate(n) for n in lhs + rhs]
    present = [cells.get(c) for c in involved]
    if any(p is None for p in present[: len(lhs)]) or all(p is None for p in present[len(lhs) :]):
        return None  # this key has no such cells in the layout (e.g. a block without the column)
    refs = [(relation.table, r, c) for (r, c), p in zip(involved, present) if p is not None]
    values = [p.value for p in present if p is not None]
    lhs_cells = [p for p in present[: len(lhs)] if p is not None]  # all of them, as checked above
    rhs_here = [n for n, p in zip(rhs, present[len(lhs):]) if p is not None]
    text = written(key, lhs, [p.value for p in lhs_cells], rhs_here,
                   [p.value for p in present[len(lhs):] if p is not None])
    if any(v is None for v in values):
        return CheckResult(relation.id, key, CheckStatus.SKIP, None, None, refs, relation=text)
    expected = _tidy(sum(cells[coordinate(n)].value or 0 for n in lhs))  # every value read, as checked above
    actual = _tidy(sum(cells[c].value or 0 for c in (coordinate(n) for n in rhs) if c in cells))
    status = CheckStatus.PASS if abs(expected - actual) < 1e-6 else CheckStatus.FAIL
    return CheckResult(relation.id, key, status, expected, actual, refs, relation=text)


def _tidy(value: float) -> int | float:
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def run_checks(layout: Layout, tables: dict[str, list[ValueCell]]) -> list[CheckResult]:
    """Every relation of the layout on the mapped cells, one CheckResult per relation and key
    (a relation whose table or cells the layout does not have for that key is left out)."""
    results = []
    for relation in layout.relations:
        spec = layout.tables[relation.table]
        cells = {(c.row, c.col): c for c in tables.get(relation.table, [])}
        if not cells:
            continue
        row_keys = [e.key for e in spec.row_entries()]
        col_keys = [e.key for e in spec.col_entries()]
        along, across = (row_keys, col_keys) if relation.per == "col" else (col_keys, row_keys)
        lhs, rhs = _expand(relation.lhs, along), _expand(relation.rhs, along)
        for key in dict.fromkeys(across):
            result = _evaluate(relation, key, cells, lhs, rhs)
            if result is not None:
                results.append(result)
    return results


def prose_checks(tables: dict[str, list[ValueCell]], received: int | None) -> list[CheckResult]:
    """Warning: the number of applications the prose of section 一 states against table 三."""
    cell = next((c for c in tables.get("applications", []) if (c.row, c.col) == ("new_received", "total")), None)
    if received is None or cell is None:
        return []
    ref = [("applications", "new_received", "total")]
    text = f"total: prose of section 一 ({received}) = new_received ({'?' if cell.value is None else cell.value})"
    if cell.value is None:
        return [CheckResult("prose.new_received", "total", CheckStatus.SKIP, received, None, ref, relation=text)]
    status = CheckStatus.PASS if cell.value == received else CheckStatus.WARN
    return [CheckResult("prose.new_received", "total", status, received, cell.value, ref, relation=text)]


Values = dict[tuple[str, str, str], "int | float | None"]


def history_checks(layout: Layout, this: Values, previous: Values) -> list[CheckResult]:
    """Warnings between this year's report of an agency and the year before (values by
    (table, row, col)); status pass, warn, or skip where a cell is unread."""
    results = []
    for relation in layout.history:
        spec = layout.tables[relation.table]
        keys = [e.key for e in (spec.col_entries() if relation.per == "col" else spec.row_entries())]
        for key in dict.fromkeys(keys):
            def ref(name: str, relation=relation, key=key) -> tuple[str, str, str]:
                return (relation.table, name, key) if relation.per == "col" else (relation.table, key, name)

            lhs = [ref(n) for n in relation.lhs]
            prev = [ref(n) for n in relation.previous]
            plus, minus = [ref(n) for n in relation.plus], [ref(n) for n in relation.minus]
            if not all(r in this for r in lhs + plus + minus) or not all(r in previous for r in prev):
                continue
            values = [this[r] for r in lhs + plus + minus] + [previous[r] for r in prev]
            cells = lhs + plus + minus
            text = written(key, list(relation.lhs), [this[r] for r in lhs],
                           [f"last year's {n}" for n in relation.previous] + list(relation.plus),
                           [previous[r] for r in prev] + [this[r] for r in plus],
                           "".join(f" - {n} ({'?' if this[r] is None else this[r]})" for n, r in zip(relation.minus, minus)))
            if any(v is None for v in values):
                results.append(CheckResult(relation.id, key, CheckStatus.SKIP, None, None, cells, relation=text))
                continue
            # every value read, as checked above
            expected = _tidy(sum(previous[r] or 0 for r in prev) + sum(this[r] or 0 for r in plus)
                             - sum(this[r] or 0 for r in minus))
            actual = _tidy(sum(this[r] or 0 for r in lhs))
            status = CheckStatus.PASS if abs(expected - actual) < 1e-6 else CheckStatus.WARN
            results.append(CheckResult(relation.id, key, status, expected, actual, cells, relation=text))
    return results
