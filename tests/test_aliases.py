"""The printed label variants of real published reports (digitizer/layouts/aliases.yaml) reach
the matcher: a table 二 printed with a real report's wording maps every value to its key."""

from __future__ import annotations

import yaml

from digitizer.layouts import LAYOUT_DIR, get_layout, label_aliases
from digitizer.mapping import map_table, view
from digitizer.reconstruct import classify
from digitizer.types import CellReading, Table, TableCell


def _cell(row, col, text, cs=1):
    numeric = text if text.isdigit() else None
    reading = CellReading(text, 0.95, numeric, 0.95, 1 if text else 0)
    return TableCell(row, col, 1, cs, text, 0.95, 1, (col * 10, row * 10, col * 10 + 9, row * 10 + 9), reading)


def test_aliases_come_from_at_least_twenty_real_reports():
    data = yaml.safe_load((LAYOUT_DIR / "aliases.yaml").read_text(encoding="utf-8"))
    sources = {s["title"] for s in data["sources"]}
    assert len(sources) >= 20
    assert all(s.get("where") for s in data["sources"])  # each says where it was read


def test_every_alias_is_a_label_of_its_key():
    aliases = label_aliases()
    for layout_name in ("2019", "2021"):
        layout = get_layout(layout_name)
        for table_key, spec in layout.tables.items():
            entries = {e.key: e for e in spec.row_entries() + spec.col_entries()}
            for key, variants in (aliases.get(table_key) or {}).items():
                if key in entries:
                    assert set(variants) <= set(entries[key].labels()), (layout_name, key)


def test_a_block_printed_with_real_wording_maps_to_its_keys():
    # 肖村乡 2021 prints the 2021 block （一） with 2019 words: 规范性文件, 本年新制发数量, 废止数量,
    # 现行有效数量 — none of them the layout's own label. Columns printed in another order, so
    # that no key can be had from its place between two sure ones: only the printed words count.
    header = ["信息内容", "现行有效数量", "废止数量", "本年新制发数量"]
    rows = [("规章", ["5", "0", "0"]), ("规范性文件", ["27", "1", "3"])]
    cells = [_cell(0, 0, "第二十条第（一）项", cs=4)] + [_cell(1, c, h) for c, h in enumerate(header)]
    for r, (label, values) in enumerate(rows, start=2):
        cells += [_cell(r, 0, label)] + [_cell(r, 1 + c, v) for c, v in enumerate(values)]
    table = Table([1], 4, 4, cells)
    classify(table)
    layout = get_layout("2021")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["active"], [view(table)], layout, 62.0)}
    assert found[("rules", "in_force")] == 5
    assert found[("normative_docs", "issued")] == 3
    assert found[("normative_docs", "repealed")] == 1
    assert found[("normative_docs", "in_force")] == 27


def test_a_label_printed_without_its_bracketed_note_is_that_label():
    """Reports shorten a label by its note in brackets: "（二）部分公开" for the layout's
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" scored 38 and was matched only by its
    place, which a row split in two by a false rule took from it. The numbering that opens a
    label is no note."""
    from digitizer.mapping import label_similarity
    from digitizer.settings import Settings

    for layout_name in ("2019", "2021"):
        spec = get_layout(layout_name).tables["applications"]
        entries = {e.key: e for e in spec.row_entries()}
        assert label_similarity(entries["r2"], "（二）部分公开") >= Settings().label_score
        assert max(label_similarity(e, "（二）部分公开") for k, e in entries.items() if k != "r2") < 50
    fees = {e.key: e for e in get_layout("2021").tables["active"].col_entries()}["amount_10k_yuan"]
    assert "本年收费金额" in fees.labels() and all(label.startswith(("本年", "采购")) for label in fees.labels())
