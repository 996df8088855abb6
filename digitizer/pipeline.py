"""Wires the stages together for one document: load -> preprocess -> grid -> ocr ->
reconstruct -> mapping -> checks. Only this module knows the order."""

from __future__ import annotations

import time
from pathlib import Path

from . import checks, grid, load, mapping, orientation, preprocess, prose, reconstruct, verify
from .errors import DigitizerError, LoadError
from .ocr.engines import RecognitionEngine, get_engine
from .ocr.read import read_cells
from .report import Report
from .settings import Settings
from .types import DocumentSource, StraightPage, Table


class Digitizer:
    """Reads documents with models loaded once (one per process or worker)."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self._engine: RecognitionEngine | None = None

    @property
    def engine(self) -> RecognitionEngine:
        if self._engine is None:
            self._engine = get_engine(self.settings)
        return self._engine

    def _read_cells(self, straight: StraightPage, grids: list) -> list:
        """One CellReading per grid cell of the page (the benchmark's baseline replaces this)."""
        boxes = [cell.bbox for g in grids for cell in g.cells]
        return read_cells(straight.image, boxes, self.engine, self.settings.rec_batch_size) if boxes else []

    def _read_tables(self, straight: StraightPage, grids: list | None = None) -> tuple[list[Table], float]:
        if grids is None:
            grids = grid.find_grids(straight.image, straight.number)
        readings = self._read_cells(straight, grids)

        def to_original(bbox):
            return preprocess.to_original_bbox(straight, bbox)

        tables, start = [], 0
        for g in grids:
            tables.append(reconstruct.build_table(g, readings[start : start + len(g.cells)], to_original))
            start += len(g.cells)
        return tables, orientation.upright_confidence(readings)

    def _page_tables(self, page) -> tuple[list[Table], StraightPage]:
        straight = preprocess.straighten(page, self.settings)
        if not self.settings.orientation:
            return self._read_tables(straight)[0], straight
        grids = grid.find_grids(straight.image, straight.number)
        if orientation.text_is_vertical(straight.image, grids):
            straight, grids = preprocess.turn(straight, 1), None
        tables, confidence = self._read_tables(straight, grids)
        if confidence < orientation.SURE:
            # Maybe upside down: read it turned half round and keep the more confident reading.
            turned = preprocess.turn(straight, 2)
            other, other_confidence = self._read_tables(turned)
            if other_confidence > confidence:
                return other, turned
        return tables, straight

    def run(self, source: DocumentSource) -> Report:
        started = time.perf_counter()
        report = Report(source.document, [p.name for p in source.paths], engine=self.engine.describe())
        try:
            pages = load.load_pages(source, self.settings)
        except LoadError as err:
            report.status, report.errors = "failed", [str(err)]
            report.seconds = time.perf_counter() - started
            return report
        report.pages = len(pages)
        tables_by_page = []
        straight_pages = {}
        for page in pages:
            tables, straight = self._page_tables(page)
            tables_by_page.append(tables)
            page.image = None  # the loaded page is not needed once read
            if self.settings.reread and tables:
                straight_pages[page.number] = straight.image  # kept to read suspect cells again
            if page.number == 1:
                self._front_matter(report, straight, tables)
        tables = reconstruct.join_continued(tables_by_page)
        report.grids = tables
        if not tables:
            report.status = "failed"
            report.errors.append("no ruled table found on any page")
        else:
            self._map(report, tables, straight_pages)
        report.seconds = time.perf_counter() - started
        return report

    def _front_matter(self, report: Report, straight: StraightPage, tables: list[Table]) -> None:
        """Title (agency, year) and section 一's prose: the print above page 1's first table."""
        tops = [c.straight_bbox[1] for t in tables for c in t.cells if c.straight_bbox is not None]
        top = max(0, min(tops) - 5) if tops else straight.image.shape[0] // 2
        front = prose.read_front_matter(straight.image[:top], self.engine)
        report.title, report.agency, report.year = front.title, front.agency, front.year
        report.prose_received = front.received

    def _map(self, report: Report, tables: list[Table], straight_pages: dict) -> None:
        found = mapping.choose_layout(tables, min_quality=self.settings.label_score)
        if found.layout is None:
            return
        layout = found.layout
        report.layout = layout.name
        for key, spec in layout.tables.items():
            views = found.assigned.get(key, [])
            if not views:
                report.tables[key] = []
                report.errors.append(f"table {key} ({spec.title}) not found")
                continue
            report.tables[key] = mapping.map_table(spec, views, layout, self.settings.label_score)
        unread = [c for cells in report.tables.values() for c in cells if c.value is None]
        if unread:
            report.errors.append(f"{len(unread)} cells could not be read")
        if unread or any(not cells for cells in report.tables.values()):
            report.status = "partial"
        report.checks = verify.correct_misreads(report.tables, layout, straight_pages, self.engine)
        report.checks += checks.prose_checks(report.tables, report.prose_received)


def digitize(path: str | Path, settings: Settings | None = None) -> Report:
    """Read one document (a file, or a folder holding one document's loose pages)."""
    documents = load.discover([Path(path)])
    if not documents:
        raise DigitizerError(f"no page images or PDFs at {path}")
    if len(documents) > 1:
        raise DigitizerError(f"{path} holds {len(documents)} documents; use digitize_many or the CLI")
    return Digitizer(settings).run(documents[0])
