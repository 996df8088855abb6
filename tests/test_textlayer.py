"""Born-digital PDFs read from their text layer: the report typed by each independent renderer
(python-docx -> LibreOffice, HTML -> Chromium) and kept as the PDF it printed, read end to end;
every page says it was read from its text, every number is exact, and the same PDF read as a
scan (--no-text-layer) is read by OCR. A scanned PDF has no text layer and is OCR-read; a text
layer of garbage (fonts without a Unicode map) is not used."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from digitizer import textlayer
from digitizer.evaluate import score
from digitizer.load import discover, load_pages
from digitizer.settings import Settings
from digitizer.types import TextLayer

from .conftest import SCANS

renderers = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("chromium") is None,
    reason="the foreign renderers need LibreOffice and Chromium (make foreign-deps)",
)


@pytest.fixture(scope="module")
def digitizer_for_pdfs():
    from digitizer.pipeline import Digitizer

    return Digitizer(Settings())


def _born_digital(folder, stem: str, seed: int, renderer: str, layout: str) -> tuple[dict, object]:
    from digitizer_tools.synth.foreign import DIGITAL, build_one

    build_one(folder, stem, seed, renderer, DIGITAL, layout=layout)
    truth = json.loads((folder / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    return truth, next(s for s in discover([folder]) if s.document == stem)


@renderers
@pytest.mark.parametrize("renderer, layout, seed", [("docx", "2021", 7304), ("html", "2019", 7302)])
def test_a_born_digital_report_is_read_from_its_text_exactly(tmp_path, digitizer_for_pdfs, renderer, layout, seed):
    truth, source = _born_digital(tmp_path, f"digital-{renderer}", seed, renderer, layout)
    report = digitizer_for_pdfs.run(source)
    assert report.page_sources and set(report.page_sources) == {"text"}
    result = score(truth, report)
    assert not result.wrong, result.wrong[:5]
    assert result.found_failures == result.expected_failures
    assert report.year == int(truth["title"].split("年")[0][-4:])  # the title read from the text too


@renderers
def test_the_same_pdf_without_its_text_layer_is_read_by_ocr(tmp_path):
    _, source = _born_digital(tmp_path, "digital", 7303, "html", "2021")
    assert all(p.text is not None for p in load_pages(source, Settings()))
    assert all(p.text is None for p in load_pages(source, Settings(text_layer=False)))


def test_a_scanned_pdf_has_no_text_layer_and_is_read_by_ocr(digitizer_for_pdfs):
    source = next(iter(discover([SCANS / "r05-2021-pdf-blank.pdf"])))
    assert all(p.text is None for p in load_pages(source, Settings()))
    assert set(digitizer_for_pdfs.run(source).page_sources) == {"ocr"}


def _layer(chars: str, boxes: list[tuple[float, float, float, float]]) -> TextLayer:
    return TextLayer(chars, np.array(boxes, dtype=np.float32))


def test_garbage_or_too_little_text_is_no_usable_layer():
    boxes = [(10 * i, 0, 10 * i + 9, 12) for i in range(20)]
    assert textlayer.usable(_layer("本年新收政府信息公开申请数量1234567", boxes[:20]))
    assert not textlayer.usable(_layer("\ue000\ue001\ue002" * 6 + "12", boxes))  # private-use glyphs
    assert not textlayer.usable(_layer("\ufffd" * 20, boxes))
    assert not textlayer.usable(_layer("第1页", boxes[:3]))


def test_a_cell_reads_its_lines_top_to_bottom_left_to_right():
    # "本年新收" over "数量" in one cell (the PDF lists them in another order), "12" in the next.
    layer = _layer("量数收新年本21", [(30, 40, 40, 52), (20, 40, 30, 52), (50, 20, 60, 32), (40, 21, 50, 33),
                                     (30, 20, 40, 32), (20, 20, 30, 32), (130, 30, 140, 42), (120, 30, 130, 42)])
    assert textlayer.lines_in(layer, (15, 15, 100, 60)) == ["本年新收", "数量"]
    reading = textlayer.read_cell(layer, (15, 15, 100, 60))
    assert (reading.text, reading.lines, reading.confidence) == ("本年新收数量", 2, 1.0)
    assert textlayer.read_cell(layer, (110, 15, 150, 60)).text == "12"
    assert textlayer.read_cell(layer, (200, 15, 250, 60)).lines == 0  # a blank cell
    assert sorted(textlayer.word_boxes(layer, (0, 0, 300, 100))) == [(20, 20, 60, 33), (20, 40, 40, 52), (120, 30, 140, 42)]


def _scan_with_text(target, mode: int) -> None:
    """A scanned PDF of the samples with lines of text laid over its pages in render `mode`."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(SCANS / "r05-2021-pdf-blank.pdf"))
    for page in pdf:
        for line in range(30):
            obj = pdfium_c.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", 12.0)
            text = "本年新收 12345\0".encode("utf-16-le")
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(text), ctypes.POINTER(ctypes.c_ushort)))
            pdfium_c.FPDFTextObj_SetTextRenderMode(obj, mode)
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 60, 60 + 20 * line)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
        pdfium_c.FPDFPage_GenerateContent(page.raw)
    pdf.save(str(target))
    pdf.close()


def test_a_scan_under_a_scanners_invisible_ocr_text_is_read_by_ocr(tmp_path):
    """A scanner's OCR layer is drawn invisible over its image: text nobody checked. Such a page
    is read from its pixels; the same text drawn visibly is a text layer."""
    import pypdfium2.raw as pdfium_c

    _scan_with_text(tmp_path / "invisible.pdf", pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
    _scan_with_text(tmp_path / "visible.pdf", pdfium_c.FPDF_TEXTRENDERMODE_FILL)
    invisible, visible = (next(iter(discover([tmp_path / f"{name}.pdf"]))) for name in ("invisible", "visible"))
    assert all(p.text is None for p in load_pages(invisible, Settings()))
    assert all(p.text is not None and "12345" in p.text.chars for p in load_pages(visible, Settings()))


@renderers
def test_the_rules_a_pdf_draws_are_read_from_its_paths(tmp_path, digitizer_for_pdfs):
    """The rules of a born-digital page come from its path objects (no rule finding in the pixels),
    dotted ones drawn dot by dot too: gray dotted inner rules inside a double outer border, every
    page's rules taken from its paths, every number exact."""
    from digitizer_tools.synth.foreign import DIGITAL, build_one

    build_one(tmp_path, "ruled", 7306, "html", DIGITAL, layout="2021",
              choices={"rules.inner": "dotted", "rules.color": "gray", "rules.outer": "double"})
    truth = json.loads((tmp_path / "truth" / "ruled.json").read_text(encoding="utf-8"))
    source = next(iter(discover([tmp_path / "ruled.pdf"])))
    pages = load_pages(source, Settings())
    assert all(len(p.text.rules) > 1000 for p in pages[:2])  # the dots, each a path
    from digitizer import grid

    for page in pages:
        drawn = textlayer.rule_masks(page.text, page.image)
        assert drawn is not None and grid.grids_from_lines(*drawn, page.number), page.number
    result = score(truth, digitizer_for_pdfs.run(source))
    assert not result.wrong, result.wrong[:5]
