"""Each hard relation of the spec, on consistent tables and on tables broken in one cell."""

import random

import pytest

from digitizer.checks import run_checks
from digitizer.layouts import get_layout
from digitizer.types import ValueCell

APPLICANTS = ["natural_person", "commercial", "research", "public_interest", "legal_services", "other_org"]


def consistent_tables(layout_name: str, seed: int) -> dict[str, list[ValueCell]]:
    rng = random.Random(seed)
    layout = get_layout(layout_name)
    values: dict[tuple[str, str, str], int] = {}
    apps = layout.tables["applications"]
    results = [e.key for e in apps.row_entries() if e.key[0] == "r" and e.key != "r7_total"]
    for col in APPLICANTS:
        for row in results:
            values[("applications", row, col)] = rng.choice([0, 0, 0, rng.randint(1, 40)])
        r7 = sum(values[("applications", r, col)] for r in results)
        values[("applications", "r7_total", col)] = r7
        carried = rng.randint(0, min(3, r7))
        values[("applications", "carried_over", col)] = carried
        forward = rng.randint(0, 2)
        values[("applications", "carry_forward", col)] = forward
        values[("applications", "new_received", col)] = r7 + forward - carried
    for row in [e.key for e in apps.row_entries()]:
        values[("applications", row, "total")] = sum(values[("applications", row, c)] for c in APPLICANTS)
    for row in ["review", "litigation_direct", "litigation_after_review"]:
        parts = [rng.randint(0, 5) for _ in range(4)]
        for col, v in zip(["upheld", "corrected", "other", "pending"], parts):
            values[("review_litigation", row, col)] = v
        values[("review_litigation", row, "total")] = sum(parts)
    return {
        table: [ValueCell(table, r, c, v, str(v), 1.0, 1, None) for (t, r, c), v in values.items() if t == table]
        for table in ("applications", "review_litigation")
    }


def failing(checks):
    return {(c.rule, c.key) for c in checks if c.status == "fail"}


@pytest.mark.parametrize("layout", ["2019", "2021"])
def test_consistent_report_passes_every_relation(layout):
    checks = run_checks(get_layout(layout), consistent_tables(layout, 1))
    assert failing(checks) == set()
    rules = {c.rule for c in checks}
    assert rules == {"applications.balance", "applications.results_sum", "applications.row_total", "review_litigation.total"}
    # balance and results_sum per column (7), row_total per row, review total per row (3)
    assert sum(c.rule == "applications.results_sum" for c in checks) == 7
    assert sum(c.rule == "review_litigation.total" for c in checks) == 3


def _bump(tables, table, row, col, by):
    for cell in tables[table]:
        if (cell.row, cell.col) == (row, col):
            cell.value += by
            return
    raise KeyError((table, row, col))


@pytest.mark.parametrize("layout,row", [("2019", "r6"), ("2021", "r6_2"), ("2021", "r3_4")])
def test_a_result_cell_breaks_its_column_sum_and_its_row_total(layout, row):
    tables = consistent_tables(layout, 2)
    _bump(tables, "applications", row, "commercial", 2)
    assert failing(run_checks(get_layout(layout), tables)) == {
        ("applications.results_sum", "commercial"),
        ("applications.row_total", row),
    }


def test_balance_fails_on_carried_over():
    tables = consistent_tables("2021", 3)
    _bump(tables, "applications", "carried_over", "total", 1)
    assert failing(run_checks(get_layout("2021"), tables)) == {
        ("applications.balance", "total"),
        ("applications.row_total", "carried_over"),
    }


def test_review_litigation_total():
    tables = consistent_tables("2019", 4)
    _bump(tables, "review_litigation", "litigation_direct", "pending", 1)
    checks = run_checks(get_layout("2019"), tables)
    assert failing(checks) == {("review_litigation.total", "litigation_direct")}
    failed = next(c for c in checks if c.status == "fail")
    assert failed.actual == failed.expected + 1
    assert ["review_litigation", "litigation_direct", "pending"] in [list(c) for c in failed.cells]


def test_unread_cell_makes_the_relation_skip():
    tables = consistent_tables("2021", 5)
    for cell in tables["review_litigation"]:
        if (cell.row, cell.col) == ("review", "other"):
            cell.value = None
    statuses = {(c.rule, c.key): c.status for c in run_checks(get_layout("2021"), tables)}
    assert statuses[("review_litigation.total", "review")] == "skip"
    assert statuses[("review_litigation.total", "litigation_direct")] == "pass"


def _values(tables):
    return {(t, c.row, c.col): c.value for t, cells in tables.items() for c in cells}


def test_history_carried_over_and_in_force():
    from digitizer.checks import history_checks

    previous = _values(consistent_tables("2021", 6))
    this = _values(consistent_tables("2021", 7))
    for col in APPLICANTS + ["total"]:
        this[("applications", "carried_over", col)] = previous[("applications", "carry_forward", col)]
    previous[("active", "rules", "in_force")] = 10
    this.update({("active", "rules", "in_force"): 12, ("active", "rules", "issued"): 3, ("active", "rules", "repealed"): 1})
    layout = get_layout("2021")
    statuses = {(c.rule, c.key): c.status for c in history_checks(layout, this, previous)}
    assert statuses[("history.carried_over", "natural_person")] == "pass"
    assert statuses[("history.in_force", "rules")] == "pass"
    this[("applications", "carried_over", "commercial")] += 1
    this[("active", "rules", "in_force")] = 13
    warned = {k for k, s in ((( c.rule, c.key), c.status) for c in history_checks(layout, this, previous)) if s == "warn"}
    assert warned == {("history.carried_over", "commercial"), ("history.in_force", "rules")}


def test_history_across_layouts_checks_only_shared_keys():
    from digitizer.checks import history_checks

    previous = _values(consistent_tables("2019", 8))  # layout 2019 has no in_force
    this = _values(consistent_tables("2021", 9))
    this[("active", "rules", "in_force")] = 5
    rules = {c.rule for c in history_checks(get_layout("2021"), this, previous)}
    assert rules == {"history.carried_over"}
