"""The reconstruct stage from stored grids and cell readings (data/DOC.cells.json, recorded from
scans/ by stored.py through OpenCV and the OCR models): every page's grids rebuilt into tables,
continued tables joined, the layout chosen and every canonical cell mapped. Expected: the
documents' ground truth, never a recorded output."""

from __future__ import annotations

import json

import pytest

from digitizer import mapping, reconstruct
from digitizer.preprocess import mapped_bbox
from digitizer.settings import Settings

from .stored import DATA, SCANS, load_cells, load_record

RECORDED = sorted(p.name.removesuffix(".cells.json") for p in DATA.glob("*.cells.json"))


def _rebuilt(document: str) -> list[list]:
    pages = []
    for page in load_cells(document):
        def to_original(bbox, matrix=page["to_original"]):
            return mapped_bbox(matrix, bbox)

        tables = [reconstruct.build_table(g, r, to_original) for g, r in zip(page["grids"], page["readings"])]
        tables = reconstruct.printed_tables(tables)
        assert len(tables) == len(page["captions"])
        for table, caption in zip(tables, page["captions"]):
            table.caption = caption
        pages.append(tables)
    return pages


def test_the_stored_cells_cover_both_layouts():
    layouts = {json.loads((SCANS / "truth" / f"{d}.json").read_text(encoding="utf-8"))["layout"] for d in RECORDED}
    assert layouts == {"2019", "2021"}


@pytest.mark.parametrize("document", RECORDED)
def test_tables_rebuilt_from_stored_grids_and_readings_map_onto_the_truth(document):
    truth = json.loads((SCANS / "truth" / f"{document}.json").read_text(encoding="utf-8"))
    pages = _rebuilt(document)
    _, year = load_record(document)  # from the title, read with the tables
    found = mapping.choose_layout(reconstruct.join_continued(pages), year)
    assert found.layout is not None and found.layout.name == truth["layout"]
    label_score = Settings(workers=1).label_score
    got = {(key, c.row, c.col): c.value for key, spec in found.layout.tables.items()
           for c in mapping.map_table(spec, found.assigned.get(key, []), found.layout, label_score)}
    wrong = [(key, c["row"], c["col"], c["value"], got.get((key, c["row"], c["col"])))
             for key, table in truth["tables"].items() for c in table["cells"]
             if got.get((key, c["row"], c["col"])) != c["value"]]
    assert not wrong, wrong[:10]
