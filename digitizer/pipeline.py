"""Wires the stages together for one document: load -> preprocess -> grid -> ocr ->
reconstruct -> mapping -> checks. Only this module knows the order."""

from __future__ import annotations

import copy
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from . import (
    bands,
    checks,
    completion,
    grid,
    load,
    mapping,
    orientation,
    preprocess,
    prose,
    reconstruct,
    textgrid,
    textlayer,
    verify,
)
from .errors import DigitizerError, LoadError
from .layouts import get_layout, load_layouts
from .ocr.detect import get_detector
from .ocr.engines import RecognitionEngine, get_engine
from .ocr.read import CellReader, GridCellReader, read_cells
from .report import Report
from .rules import find_lines
from .settings import Settings
from .types import CellReading, DocumentSource, Grid, Page, ReportStatus, StraightPage, Table


class Digitizer:
    """Reads documents with models loaded once (one per process or worker).

    `cell_reader` is the step that reads the text of a page's grid cells (ocr.read.CellReader);
    the default recognises each cell's lines with the project's engine. The benchmark's baseline
    passes a full-page OCR reader there (ocr.fullpage.FullPageCellReader)."""

    def __init__(self, settings: Settings | None = None, cell_reader: CellReader | None = None):
        self.settings = settings or Settings()
        self._engine: RecognitionEngine | None = None
        self._reader_pool: ThreadPoolExecutor | None = None
        self._cell_reader = cell_reader
        self._complete_all = False  # complete every grid, not only those whose rules look broken
        self._by_text = False  # draw grids from the text positions where the rules are lost
        # Words the known layouts print: a page turned right reads them (digitizer.orientation).
        self._vocabulary = list(dict.fromkeys(
            word for layout in load_layouts() for spec in layout.tables.values() for word in spec.vocabulary()))

    @property
    def engine(self) -> RecognitionEngine:
        """The recognition engine of the settings, loaded on first use."""
        if self._engine is None:
            self._engine = get_engine(self.settings)
        return self._engine

    @property
    def cell_reader(self) -> CellReader:
        """The cell-reading step: the one given, or the project's own on the engine."""
        if self._cell_reader is None:
            self._cell_reader = GridCellReader(self.engine, self.settings.rec_batch_size)
        return self._cell_reader

    def read_cells(self, straight: StraightPage, grids: list[Grid]) -> list[CellReading]:
        """One CellReading per grid cell of the page, in grid order: from the page's text layer
        where it has one (born-digital), else by the cell reader."""
        boxes = [cell.bbox for g in grids for cell in g.cells]
        if straight.text is not None:
            return [textlayer.read_cell(straight.text, preprocess.to_original_bbox(straight, b)) for b in boxes]
        if straight.words is not None:
            return [textgrid.read_cell(straight.words, b) for b in boxes]
        return self.cell_reader.read(straight.image, boxes) if boxes else []

    def _text_lines(self, straight: StraightPage, regions: list[tuple[int, int, int, int]]) -> list[list[str]]:
        """The lines of print in regions of a page, from its text layer (which it must have)."""
        assert straight.text is not None
        return [textlayer.lines_in(straight.text, preprocess.to_original_bbox(straight, r)) for r in regions]

    def _tables(self, straight: StraightPage, grids: list, readings: list, unread: float = 1.0) -> tuple[list[Table], float]:
        def to_original(bbox):
            return preprocess.to_original_bbox(straight, bbox)

        tables, regions, start, above = [], [], 0, 0
        reach = int(straight.image.shape[0] * prose.CAPTION_REACH)
        for g in grids:
            tables.append(reconstruct.build_table(g, readings[start : start + len(g.cells)], to_original))
            start += len(g.cells)
            x0, top, x1, bottom = g.bbox
            regions.append((x0, max(above, top - reach), x1, max(0, top - 2)))
            above = max(above, bottom)
        if straight.text is not None:
            captions = [lines[-1] if lines else "" for lines in self._text_lines(straight, regions)]
        else:
            bands = [straight.image[y0:y1, x0:x1] for x0, y0, x1, y1 in regions]
            captions = prose.read_captions(bands, self.engine, self.settings.rec_batch_size)
        for table, caption in zip(tables, captions):
            table.caption = caption
        tables = reconstruct.printed_tables(tables)
        return tables, orientation.upright_confidence(readings, unread)

    def _complete(self, straight: StraightPage, grids: list) -> list:
        """The grids with rules their cells still show drawn in (digitizer.completion); the text
        detector runs only for a grid where a first look finds such a rule. A header row drawn by
        shading alone above the top rule is added first (digitizer.bands)."""
        grids = [bands.shaded_header(straight.image, g) for g in grids]
        if self.settings.complete_grids:
            def detect(image, region):
                if straight.text is not None:  # the text layer boxes the print exactly
                    return textlayer.word_boxes(straight.text, preprocess.to_original_bbox(straight, region))
                return get_detector(self.settings).boxes(image, region)

            grids = [completion.complete_grid(straight.image, g, detect, always=self._complete_all) for g in grids]
        # A frame of rows whose column rules were all missed is a table once completion finds one;
        # a title row alone may head a table on the next page.
        return grid.without_parts([g for g in grids if g.n_cols >= 2 or grid.title_row(g)])

    def _read_tables(self, straight: StraightPage) -> tuple[list[Table], float]:
        # Frames without a found inner rule too, as prepare finds them: completion may find it.
        framed = grid.grids_from_lines(*find_lines(straight.image), straight.number, fewest_columns=1)
        grids = self._complete(straight, framed)
        return self._tables(straight, grids, self.read_cells(straight, grids), unread=0.0)

    def prepare(self, page: Page) -> tuple[StraightPage, list[Grid]]:
        """The page straightened, turned a quarter if its text runs vertically, and its grids.
        A born-digital page (its text layer read) is level and upright as drawn."""
        if page.text is not None:
            straight = preprocess.as_printed(page)
            # Its rules from the paths it draws; from the pixels where those give no table.
            drawn = textlayer.rule_masks(page.text, straight.image)
            framed = grid.grids_from_lines(*drawn, straight.number, fewest_columns=1) if drawn else []
            if not framed:
                framed = grid.grids_from_lines(*find_lines(straight.image), straight.number, fewest_columns=1)
            return straight, self._complete(straight, framed)
        straight = preprocess.straighten(page, self.settings)
        lines = find_lines(straight.image)
        squared = preprocess.square_up(straight, *lines) if self.settings.deskew else None
        if squared is not None:
            straight, lines = squared, find_lines(squared.image)
        upright = straight
        framed = grid.grids_from_lines(*lines, straight.number, fewest_columns=1)
        grids = [g for g in framed if g.n_cols >= 2]
        if self.settings.orientation:
            # The lines of print outside the tables say whether the page lies on its side; where
            # it has none, its cells' print does (vertically written headers vote vertical too).
            prose_runs = orientation.prose_direction(straight.image, grids, lines[0] | lines[1])
            if prose_runs == "down" or (prose_runs is None and orientation.text_is_vertical(straight.image, grids)):
                straight, grids = self._turned(straight, grids, on_its_side=prose_runs == "down")
        grids = self._complete(straight, framed if straight is upright else grids)
        return straight, self._with_text_grids(straight, grids) if self._by_text else grids

    def _with_text_grids(self, straight: StraightPage, grids: list) -> list:
        """The page's grids with those its text sets out where the rules are lost
        (digitizer.textgrid): a text grid takes the place of the ruled grids it overlaps."""
        height, width = straight.image.shape
        boxes = get_detector(self.settings).boxes(straight.image, (0, 0, width, height))
        readings = read_cells(straight.image, boxes, self.engine, self.settings.rec_batch_size)
        masks = textgrid.text_rules(straight.image, boxes, [r.text for r in readings])
        found = grid.grids_from_lines(*masks, straight.number) if masks is not None else []
        if not found:
            return grids
        straight.words = list(zip(boxes, readings))
        kept = [g for g in grids if not any(_overlap(g.bbox, t.bbox) for t in found)]
        return sorted(kept + found, key=lambda g: (g.bbox[1], g.bbox[0]))

    def _turned(self, straight: StraightPage, grids: list, on_its_side: bool) -> tuple[StraightPage, list]:
        """The page turned the way its words read best, with its grids found again. The
        recognizer settles it: the words of a page on its side or upside down read as noise.
        `on_its_side`: the page surely lies on its side (its prose runs down it); else it may, or
        be upside down (an upside-down page of stacked headers reads better a quarter turned than
        as it lies)."""
        cells = sum(len(g.cells) for g in grids)
        candidates = [] if on_its_side else [(0, straight, grids)]
        for k in (1, 3) if on_its_side else (1, 2, 3):
            t = preprocess.turn(straight, k)
            if self.settings.deskew and k % 2:
                t = preprocess.level(t, self.settings)
            found = grid.find_grids(t.image, t.number)
            # A turn that loses most of the page's table is no better reading of it (the grid of
            # a page lying on its side is found whole either way up).
            if on_its_side or sum(len(g.cells) for g in found) >= KEPT_CELLS * cells:
                candidates.append((k, t, found))
        readings = [(*self._upright_score(t, found), k, t, found) for k, t, found in candidates]
        # Where the page may as well lie as it is, a quarter turn reading no word the layouts
        # print is no better reading of it: its noise may read confidently ("福T圖"), while the
        # page as it lies, its dashed rules not yet found, reads its blocks of cells as
        # low-confidence lines.
        scored = [(score, k, t, found) for score, known, k, t, found in readings
                  if on_its_side or k % 2 == 0 or known > 0]
        best = max(score for score, *_ in scored)
        # Words stacked a character a line in narrow cells (table 四's headers) read about as
        # well on their side as upright: of the readings about as good as the best, the one with
        # the fewest quarter turns (as it lies, then half round). Of the two ways a page surely on
        # its side can lie, the one that reads best.
        margin = 0.0 if on_its_side else TURN_MARGIN
        _, _, straight, grids = min((c for c in scored if c[0] >= best - margin), key=lambda c: (c[1] % 2, c[1]))
        return straight, grids

    def _upright_score(self, straight: StraightPage, grids: list) -> tuple[float, float]:
        """How surely the page reads upright as it lies (orientation.upright_score), and the
        share of its words the layouts print."""
        boxes = orientation.word_cells(straight.image, grids) + orientation.prose_boxes(straight.image, grids)
        if not boxes:
            return 0.0, 0.0
        readings = read_cells(straight.image, boxes, self.engine, self.settings.rec_batch_size)
        return (orientation.upright_score(readings, self._vocabulary),
                orientation.known_share(readings, self._vocabulary))

    def rebuild(self, straight: StraightPage, grids: list[Grid],
                readings: list[CellReading]) -> tuple[list[Table], StraightPage]:
        """A page's tables rebuilt from its grids and their cells' readings (prepare, read_cells),
        the captions over them read, and the page they were read from: where the reading is not
        sure the page is upright, it is read again turned half round, and the surer kept."""
        tables, confidence = self._tables(straight, grids, readings)
        if self.settings.orientation and straight.text is None and confidence < orientation.SURE:
            # Maybe upside down: read it turned half round and keep the more confident reading.
            turned = preprocess.turn(straight, 2)
            other, other_confidence = self._read_tables(turned)
            # A turn in which no table is found, or no word read, is no better reading of the page.
            if other and other_confidence > confidence:
                return other, turned
        return tables, straight

    def page_tables(self, page: Page) -> tuple[list[Table], StraightPage]:
        """One page's tables, straightened, read and rebuilt (not yet mapped onto a layout), and
        the straightened page they were read from."""
        straight, grids = self.prepare(page)
        return self.rebuild(straight, grids, self.read_cells(straight, grids))

    def _read_pages(self, pages: list, kept: dict | None = None) -> Iterator[tuple[list[Table], StraightPage]]:
        """Each page's tables, in order. While one page's cells are being recognised (on the
        recognizer's threads), the next page is straightened and its grids found: those steps
        run on one core, and would otherwise leave the other idle. A page in `kept` (page number
        -> an earlier reading's tables and page) is not read again: a copy of that reading is
        used (the join of continued tables changes the tables it is given)."""
        waiting: deque = deque()
        for page in pages:
            if kept is not None and page.number in kept:
                while waiting:
                    straight, grids, readings = waiting.popleft()
                    yield self.rebuild(straight, grids, readings.result())
                tables, straight = kept[page.number]
                yield copy.deepcopy(tables), straight
                continue
            straight, grids = self.prepare(page)
            page.image = None  # the loaded page is not needed once straightened
            waiting.append((straight, grids, self._reader.submit(self.read_cells, straight, grids)))
            if len(waiting) > 1:
                straight, grids, readings = waiting.popleft()
                yield self.rebuild(straight, grids, readings.result())
        while waiting:
            straight, grids, readings = waiting.popleft()
            yield self.rebuild(straight, grids, readings.result())

    @property
    def _reader(self) -> ThreadPoolExecutor:
        if self._reader_pool is None:
            self._reader_pool = ThreadPoolExecutor(1, thread_name_prefix="cell-reader")
        return self._reader_pool

    def run(self, source: DocumentSource) -> Report:
        """Read one document: its report, never an exception (a document that cannot be loaded or
        read gets a failed report saying why)."""
        started = time.perf_counter()
        report = Report(source.document, [p.name for p in source.paths], engine=self.engine.describe())
        try:
            pages = load.load_pages(source, self.settings)
        except LoadError as err:
            report.status, report.errors = ReportStatus.FAILED, [str(err)]
            report.seconds = time.perf_counter() - started
            return report
        read = self._read(report, pages)
        if self.settings.complete_grids and _looks_like_report(report) and _shortfall(report) > (0, 0, 0):
            # Completion runs on the grids whose rules look broken (digitizer.completion); where
            # the report still comes out short, a second reading completes every grid of the
            # pages it falls short on by the text positions, and is kept if it leaves less unread.
            second, second_read = self._read_again(report, source, "_complete_all", read)
            if _shortfall(second) < _shortfall(report):
                report, read = second, second_read
        if self.settings.complete_grids and (_tables_lost(report) or report.unread_cells()):
            # A report whose tables (or some of their cells) are still not found may have lost
            # its rules (light gray ones scanned 1-bit, gray dots at a coarse resolution, a block of
            # table 二 drawn as a small table in dashes at 75 dpi): a reading that draws the grids
            # of the pages it falls short on from the text positions. The tables it finds that
            # this reading lacks, and the cells it reads that this one could not; the whole of it
            # where this reading found no layout, or another, and it leaves less unread.
            third, _ = self._read_again(report, source, "_by_text", read)
            if report.layout is not None and third.layout == report.layout:
                report = self._with_found_cells(self._with_found_tables(report, third), third)
            elif _shortfall(third) < _shortfall(report):
                report = third
        report.seconds = time.perf_counter() - started
        return report

    def _read_again(self, report: Report, source: DocumentSource, switch: str, read: dict) -> tuple[Report, dict]:
        """The document read once more with one of the reader's switches on (`_complete_all`,
        `_by_text`), into a report of its own, and its pages' readings. Only the pages the report
        falls short on are read again; the others' tables are taken from `read` (page number ->
        tables and page, as `_read` returns them)."""
        again = Report(report.document, report.source, engine=report.engine)
        short = _short_pages(report, len(read))
        setattr(self, switch, True)
        try:
            kept = {n: r for n, r in read.items() if n not in short}
            return again, self._read(again, load.load_pages(source, self.settings), kept)
        finally:
            setattr(self, switch, False)

    def _read(self, report: Report, pages: list, kept: dict | None = None) -> dict:
        """Read a document's loaded pages into its report: tables, front matter, mapping, checks.
        Returns each page's reading (page number -> its tables, as read before they were joined,
        and the straightened page); `kept` holds pages already read (see _read_pages)."""
        report.pages = len(pages)
        tables_by_page = []
        straight_pages = {}
        read = {}
        for tables, straight in self._read_pages(pages, kept):
            # The join below changes these tables: a copy as read (a kept page's is kept already).
            read[straight.number] = (kept or {}).get(straight.number) or (copy.deepcopy(tables), straight)
            tables_by_page.append(tables)
            report.page_sources.append("text" if straight.text is not None else "ocr")
            if self.settings.reread and tables and straight.text is None:
                straight_pages[straight.number] = straight.image  # kept to read suspect cells again
            if straight.number == 1:
                front = self.front_matter(straight, tables)
                report.title, report.agency, report.year = front.title, front.agency, front.year
                report.prose_received = front.received
        tables = reconstruct.join_continued(tables_by_page)
        report.grids = tables
        if not tables:
            report.status = ReportStatus.FAILED
            report.errors.append("no ruled table found on any page")
        else:
            self._map(report, tables, straight_pages)
        return read

    def front_matter(self, straight: StraightPage, tables: list[Table]) -> prose.FrontMatter:
        """Title (agency, year) and section 一's prose of a document: the print above its first
        page's first table (`straight` and `tables` as page_tables gives them for page 1)."""
        tops = [c.straight_bbox[1] for t in tables for c in t.cells if c.straight_bbox is not None]
        top = max(0, min(tops) - 5) if tops else straight.image.shape[0] // 2
        if straight.text is not None:
            return prose.front_matter(self._text_lines(straight, [(0, 0, straight.image.shape[1], top)])[0])
        return prose.read_front_matter(straight.image[:top], self.engine)

    def _map(self, report: Report, tables: list[Table], straight_pages: dict) -> None:
        found = mapping.choose_layout(tables, report.year)
        if found.layout is None:
            if _titled_as_report(report):
                # Its title says it is an annual report: not finding its tables is a failure to
                # read it, not a document of another kind.
                report.status = ReportStatus.PARTIAL
                report.errors.append(f"titled as an annual report ({report.title}), but no table of "
                                     "a known layout was recognised")
            return
        layout = found.layout
        report.layout = layout.name
        for key, spec in layout.tables.items():
            views = found.assigned.get(key, [])
            report.tables[key] = mapping.map_table(spec, views, layout, self.settings.label_score) if views else []
        self._judge(report, straight_pages)

    def _judge(self, report: Report, straight_pages: dict) -> None:
        """A mapped report's errors, status and checks (its misread cells corrected where a
        re-reading of straight_pages proves them)."""
        assert report.layout is not None  # judged once mapped
        layout = get_layout(report.layout)
        report.errors = [f"table {key} ({spec.title}) not found"
                         for key, spec in layout.tables.items() if not report.tables.get(key)]
        report.checks = verify.correct_misreads(report.tables, layout, straight_pages, self.engine)
        report.checks += checks.prose_checks(report.tables, report.prose_received)
        unread = report.unread_cells()  # after the re-reading, which may have read some
        if unread:
            report.errors.append(f"{len(unread)} cells could not be read")
        report.status = ReportStatus.PARTIAL if report.errors else ReportStatus.OK

    def _with_found_tables(self, report: Report, other: Report) -> Report:
        """`report` with the tables it lacks taken from `other`, a reading of the same document
        by other means; `other` whole where `report` has no layout or another one."""
        if report.layout is None or other.layout != report.layout:
            return other
        for key, cells in other.tables.items():
            if not report.tables.get(key) and cells:
                report.tables[key] = cells
        self._judge(report, {})
        return report

    def _with_found_cells(self, report: Report, other: Report) -> Report:
        """`report` with each cell it could not read taken from `other` (a reading of the same
        document by its text positions, same layout) where `other` read it, flagged so. A reading
        that `other` gave to two cells or more is no cell's (a row of two counts alone on a page,
        under no header of its own, spread over all fifteen of table 四's)."""
        sources = Counter((c.page, c.bbox) for cells in other.tables.values() for c in cells if c.value is not None)
        found = {(c.table, c.row, c.col): c for cells in other.tables.values() for c in cells
                 if c.value is not None and c.bbox is not None and sources[(c.page, c.bbox)] == 1}
        taken = 0
        for cells in report.tables.values():
            for i, cell in enumerate(cells):
                if cell.value is None and (other_cell := found.get((cell.table, cell.row, cell.col))):
                    cells[i] = replace(other_cell, flags=[*other_cell.flags, FLAG_BY_TEXT])
                    taken += 1
        if taken:
            self._judge(report, {})
        return report


FLAG_BY_TEXT = "read where the text positions place it: its ruled cell was not found"
KEPT_CELLS = 0.5  # share of the page's grid cells a quarter turn must still find to be weighed
TURN_MARGIN = 0.05  # recognizer confidence a quarter turn must gain over a reading with fewer turns


def _titled_as_report(report: Report) -> bool:
    return "政府信息公开" in report.title or "信息公开工作" in report.title


def _looks_like_report(report: Report) -> bool:
    """A report whose layout was recognised, or whose title names it one."""
    return report.layout is not None or _titled_as_report(report)


def _tables_lost(report: Report) -> bool:
    """A report titled as one whose layout was not recognised, or one missing a table."""
    if report.layout is None:
        return _titled_as_report(report)
    return any(not cells for cells in report.tables.values())


def _short_pages(report: Report, pages: int) -> set[int]:
    """The pages a reading falls short on: every page where it found no layout or lost a table
    (a lost table may be anywhere); else the pages of the tables with cells unread, and the page
    after each (where a table's continuation may have gone unfound)."""
    if _tables_lost(report):
        return set(range(1, pages + 1))
    short: set[int] = set()
    for cells in report.tables.values():
        if any(c.value is None for c in cells):
            on = {c.page for c in cells if c.page is not None}
            short |= on | {p + 1 for p in on if p < pages}
            if not on:
                return set(range(1, pages + 1))
    return short


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes share a third of the smaller's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width > 0 and height > 0 and width * height >= smaller / 3


def _shortfall(report: Report) -> tuple[int, int, int]:
    """How far a report falls short of a whole reading: no layout, tables not found, cells unread."""
    if report.layout is None:
        return 1, 0, 0
    missing = sum(1 for cells in report.tables.values() if not cells)
    return 0, missing, len(report.unread_cells())


def digitize(path: str | Path, settings: Settings | None = None) -> Report:
    """Read one document (a file, or a folder holding one document's loose pages)."""
    documents = load.discover([Path(path)])
    if not documents:
        raise DigitizerError(f"no page images or PDFs at {path}")
    if len(documents) > 1:
        raise DigitizerError(f"{path} holds {len(documents)} documents; use digitize_many or the CLI")
    return Digitizer(settings).run(documents[0])


def digitize_many(paths: Iterable[str | Path], settings: Settings | None = None) -> Iterator[Report]:
    """Read every document under `paths` (files and folders, as the CLI finds them), one after
    another in this process, yielding each Report as it is read. Nothing is written: for files,
    archives and parallel runs use the CLI or digitizer.batch.run_batch."""
    reader = Digitizer(settings)
    for document in load.discover([Path(p) for p in paths]):
        yield reader.run(document)
