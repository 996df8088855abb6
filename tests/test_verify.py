"""Stage 7b on its own (digitizer.verify): the cells of relations that do not hold, read again
harder from their page, through the real recognizer."""

from __future__ import annotations

import json

import cv2

from digitizer.layouts import get_layout
from digitizer.types import ValueCell
from digitizer.verify import correct_misreads

from .conftest import ROOT

DATA = ROOT / "tests" / "data"
CELL = (60, 40, 181, 86)  # where the count's cell lies in each stored crop


def test_two_counts_read_as_letters_are_both_read_again(engine):
    """Table 三 of an HTML report in gray rules: 自然人's 8 in 一、本年新收 (page 2) and in
    （七）总计 (page 3) both read "N", so neither had a value, and each relation through one of
    them also ran through the other: no re-reading of one alone made every relation through it
    hold, and both stayed unread. A cell that read as no number is now taken at a sure re-reading
    that makes a relation through it hold and breaks none, the other left undecided; then the
    other settles. Each correction records what was read."""
    stored = json.loads((DATA / "html-gray-rules-8-read-as-N.json").read_text(encoding="utf-8"))
    pages = {2: "new_received", 3: "r7_total"}
    cells = []
    for c in stored["applications"]:
        page = next((p for p, row in pages.items() if row == c["row"] and c["col"] == "natural_person"), None)
        value, text = (None, "N") if page else (c["value"], str(c["value"]))
        cells.append(ValueCell("applications", c["row"], c["col"], value, text, 0.87 if page else 0.99, page, None,
                               straight_bbox=CELL if page else None))
    images = {p: cv2.imread(str(DATA / f"html-gray-rules-8-read-as-N-{row}.png"), cv2.IMREAD_GRAYSCALE)
              for p, row in pages.items()}
    checks = correct_misreads({"applications": cells}, get_layout(stored["layout"]), images, engine)
    read = {c.row: c for c in cells if c.page}
    assert [(read[row].value, read[row].read_as) for row in ("new_received", "r7_total")] == [(8, "N"), (8, "N")]
    assert all("hold when re-read" in read[row].corrected_by for row in read)
    assert not [c for c in checks if c.status == "fail"]
