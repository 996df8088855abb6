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
from collections.abc import Callable

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


Candidate = tuple[int, str, float, str]  # value, text, confidence, how it was read


def correct_misreads(
    tables: dict[str, list[ValueCell]], layout: Layout, pages: dict[int, np.ndarray], engine: RecognitionEngine
) -> list[CheckResult]:
    """Correct misread cells in place where a re-reading proves them; return the final checks."""
    index = {(t, c.row, c.col): c for t, cells in tables.items() for c in cells}
    checks = run_checks(layout, tables)
    read_again: dict[Ref, list[Candidate]] = {}

    def candidates(ref: Ref, least: float) -> list[Candidate]:
        if ref not in read_again:
            cell = index[ref]
            assert cell.page is not None and cell.straight_bbox is not None  # a readable suspect
            read_again[ref] = _numbers(reread_numeric(pages[cell.page], cell.straight_bbox, engine))
        return [c for c in read_again[ref] if c[2] >= least and c[0] != index[ref].value]

    def readable(ref: Ref) -> bool:
        cell = index[ref]
        return cell.straight_bbox is not None and cell.page in pages and not layout.units_of.get(cell.col)

    for ref in rank_suspects(checks, index)[:MAX_SUSPECTS]:
        if not readable(ref) or all(c.status == CheckStatus.PASS for c in checks if ref in c.cells):
            continue  # not to be read again, or fixed on the way by an earlier correction
        for candidate in candidates(ref, _least(checks, ref)):
            trial = _try(tables, layout, checks, {ref: candidate}, index)
            if trial is not None:
                checks = trial
                break
    checks = _correct_pairs(tables, layout, checks, index, [r for r in rank_suspects(checks, index)[:MAX_SUSPECTS]
                                                            if readable(r)], candidates)
    _name_suspects(checks, index)
    return checks


def _numbers(readings: list[tuple[str, float, str]]) -> list[Candidate]:
    """The re-readings that are whole non-negative numbers, best first."""
    out = []
    for text, confidence, how in readings:
        parsed = parse_number(text)
        if parsed is not None and parsed.value >= 0 and float(parsed.value).is_integer():
            out.append((int(parsed.value), text, confidence, how))
    return out


def _least(checks: list[CheckResult], ref: Ref) -> float:
    """How sure a re-reading of `ref` must be to be tried. A misread count breaks its row's
    relation and its column's at once; a reading the recognizer only offers as an alternative (a
    coarse scan's 3 it reads surely as 8) is taken where it makes two such relations hold
    together, and breaks none. A printed number that is really wrong is read surely, without
    that alternative, and stays."""
    crossed = sum(c.status == CheckStatus.FAIL for c in checks if ref in c.cells) >= 2
    return CROSSED_CONFIDENCE if crossed else MIN_CONFIDENCE


def _try(tables: dict[str, list[ValueCell]], layout: Layout, checks: list[CheckResult],
         readings: dict[Ref, Candidate], index: dict[Ref, ValueCell], keep: bool = True) -> list[CheckResult] | None:
    """The checks with each cell of `readings` read as given, where every relation through each
    of those cells then holds and none that held breaks; else None. Kept (each correction
    recorded) only where it holds and `keep`: otherwise the cells are put back as they were."""
    before = _outcome(checks)
    first = {ref: (index[ref].value, index[ref].text, index[ref].confidence) for ref in readings}
    for ref, (value, text, confidence, _) in readings.items():
        index[ref].value, index[ref].text, index[ref].confidence = value, text, confidence
    trial = run_checks(layout, tables)
    holds = all(_acceptable(before, trial, ref, unread=first[ref][0] is None) for ref in readings)
    if holds and keep:
        together = f" together with {len(readings) - 1} other cell" if len(readings) > 1 else ""
        for ref, (_, _, confidence, how) in readings.items():
            relations = sorted({f"{c.rule}:{c.key}" for c in checks if ref in c.cells and c.status != CheckStatus.PASS})
            index[ref].read_as = first[ref][1]
            index[ref].corrected_by = (f"{', '.join(relations)} hold when re-read{together} "
                                       f"({how}, confidence {confidence:.2f})")
        return trial
    for ref, (was, text, confidence) in first.items():
        index[ref].value, index[ref].text, index[ref].confidence = was, text, confidence
    return trial if holds else None


def _correct_pairs(tables: dict[str, list[ValueCell]], layout: Layout, checks: list[CheckResult],
                   index: dict[Ref, ValueCell], suspects: list[Ref],
                   candidates: Callable[[Ref, float], list[Candidate]]) -> list[CheckResult]:
    """Two misread cells in one relation (a coarse scan's 234 read 231 and 54 read 51 in one
    column): neither re-reading alone makes the column hold, so each is tried with the other's.
    A pair is corrected only where exactly one pair of re-readings makes every relation through
    both cells hold and breaks none: a report that does not add up is not read into adding up."""
    while True:
        failing = [c for c in checks if c.status == CheckStatus.FAIL]
        pairs = sorted({(a, b) for c in failing for a in c.cells for b in c.cells
                        if a < b and a in suspects and b in suspects})
        found: list[dict[Ref, Candidate]] = []
        for a, b in pairs:
            for ca in candidates(a, _least(checks, a)):
                for cb in candidates(b, _least(checks, b)):
                    if _try(tables, layout, checks, {a: ca, b: cb}, index, keep=False) is not None:
                        found.append({a: ca, b: cb})
        if len(found) != 1:
            return checks
        trial = _try(tables, layout, checks, found[0], index)
        assert trial is not None  # it held a moment ago
        checks = trial


def _name_suspects(checks: list[CheckResult], index: dict[Ref, ValueCell]) -> None:
    ranked = rank_suspects(checks, index)
    order = {ref: i for i, ref in enumerate(ranked)}
    for check in checks:
        if check.status == CheckStatus.FAIL:
            check.suspects = sorted((r for r in check.cells if r in order), key=order.__getitem__)[:3]
