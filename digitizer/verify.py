"""Stage 7b: tell a misread from a real inconsistency.

A misread cell breaks its row relation and its column relation at once. The cells of failing
relations are ranked (most failing relations first, then least confident), read again harder
(digitizer.ocr.read.reread_numeric), and a new reading is accepted only if it makes every
relation through that cell hold without breaking one that held. Otherwise the number stays as
printed and the failure is reported: the report is never corrected into consistency against its
print. Each correction keeps what was read, what it became and why.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .checks import run_checks
from .layouts import Layout
from .numbers import parse_number
from .ocr.engines import RecognitionEngine
from .ocr.read import ALTERNATIVE, reread_numeric
from .types import CheckResult, CheckStatus, ValueCell

MAX_SUSPECTS = 12
MIN_CONFIDENCE = 0.5  # a re-reading must be at least this sure to be tried
CROSSED_CONFIDENCE = ALTERNATIVE  # ... or any runner-up offered, where it makes two failing relations or more hold
Ref = tuple[str, str, str]


def rank_suspects(checks: list[CheckResult], index: dict[Ref, ValueCell]) -> list[Ref]:
    """Cells of failing (or skipped) relations, likeliest culprits first."""
    failing = Counter(ref for c in checks if c.status == CheckStatus.FAIL for ref in c.cells)
    unread = {ref for c in checks if c.status == CheckStatus.SKIP for ref in c.cells if index[ref].value is None}
    refs = set(failing) | unread
    return sorted(refs, key=lambda r: (-(failing[r] + 2 * (r in unread)), index[r].confidence))


def _outcome(checks: list[CheckResult]) -> dict[tuple[str, str], str]:
    return {(c.rule, c.key): c.status for c in checks}


def _acceptable(before: dict, after: list[CheckResult], ref: Ref, unread: bool = False) -> bool:
    """Whether a re-reading of `ref` makes every relation through it hold and breaks none that
    held. A cell that read as no number at all (unread) may leave a relation it shares with
    another unread cell undecided, so long as one holds: two counts of 8 both read "N" are read
    again one after the other, and neither would ever settle the relation they share alone."""
    now = _outcome(after)
    through = [c for c in after if ref in c.cells]
    allowed = (CheckStatus.PASS, CheckStatus.SKIP) if unread else (CheckStatus.PASS,)
    if not any(c.status == CheckStatus.PASS for c in through) or any(c.status not in allowed for c in through):
        return False
    broken = [k for k, status in now.items() if status == CheckStatus.FAIL and before.get(k) != CheckStatus.FAIL]
    return not broken


def correct_misreads(
    tables: dict[str, list[ValueCell]], layout: Layout, pages: dict[int, np.ndarray], engine: RecognitionEngine
) -> list[CheckResult]:
    """Correct misread cells in place where a re-reading proves them; return the final checks."""
    index = {(t, c.row, c.col): c for t, cells in tables.items() for c in cells}
    checks = run_checks(layout, tables)
    for ref in rank_suspects(checks, index)[:MAX_SUSPECTS]:
        cell = index[ref]
        if cell.straight_bbox is None or cell.page not in pages or layout.units_of.get(cell.col):
            continue
        if all(c.status == CheckStatus.PASS for c in checks if ref in c.cells):
            continue  # fixed on the way by an earlier correction
        before = _outcome(checks)
        # A misread count breaks its row's relation and its column's at once; a reading the
        # recognizer only offers as an alternative (a coarse scan's 3 it reads surely as 8) is
        # taken where it makes two such relations hold together, and breaks none. A printed
        # number that is really wrong is read surely, without that alternative, and stays.
        crossed = sum(c.status == CheckStatus.FAIL for c in checks if ref in c.cells) >= 2
        least = CROSSED_CONFIDENCE if crossed else MIN_CONFIDENCE
        for text, confidence, how in reread_numeric(pages[cell.page], cell.straight_bbox, engine):
            parsed = parse_number(text)
            if confidence < least or parsed is None or parsed.value == cell.value or parsed.value < 0:
                continue
            if not float(parsed.value).is_integer():
                continue
            first = (cell.value, cell.text, cell.confidence)
            cell.value, cell.text, cell.confidence = int(parsed.value), text, confidence
            trial = run_checks(layout, tables)
            if _acceptable(before, trial, ref, unread=first[0] is None):
                relations = sorted({f"{c.rule}:{c.key}" for c in checks if ref in c.cells and c.status != CheckStatus.PASS})
                cell.read_as = first[1]
                cell.corrected_by = f"{', '.join(relations)} hold when re-read ({how}, confidence {confidence:.2f})"
                checks = trial
                break
            cell.value, cell.text, cell.confidence = first
    _name_suspects(checks, index)
    return checks


def _name_suspects(checks: list[CheckResult], index: dict[Ref, ValueCell]) -> None:
    ranked = rank_suspects(checks, index)
    order = {ref: i for i, ref in enumerate(ranked)}
    for check in checks:
        if check.status == CheckStatus.FAIL:
            check.suspects = sorted((r for r in check.cells if r in order), key=order.__getitem__)[:3]
