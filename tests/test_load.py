"""Loading real sample files, and every kind of bad input giving a plain LoadError."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from digitizer.errors import LoadError
from digitizer.load import discover, load_pages
from digitizer.settings import Settings
from digitizer.types import DocumentSource

from .badfiles import damaged_tiff, pdf_bytes
from .conftest import SCANS, source, truth


def test_discover_groups_loose_pages_and_reads_every_format():
    docs = {d.document: d for d in discover([SCANS])}
    names = {p.stem for p in (SCANS / "truth").glob("*.json")}
    assert names <= set(docs)
    assert [p.name for p in docs["r01-2021-jpg-blank"].paths] == [f"r01-2021-jpg-blank_p{i}.jpg" for i in (1, 2, 3)]
    assert [p.name for p in docs["r03-2021-png-zero"].paths][0] == "r03-2021-png-zero-001.png"


@pytest.mark.parametrize("document", ["r04-2019-tif-blank", "r07-2021-tif1bit-zero", "r05-2021-pdf-blank", "r02-2019-jpg-zero"])
def test_pages_load_as_uint8_images(document):
    pages = load_pages(source(document), Settings())
    assert len(pages) == truth(document)["pages"]
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    for page in pages:
        assert page.image.dtype == np.uint8 and page.image.ndim in (2, 3)
        assert min(page.image.shape[:2]) > 500


def _load(path):
    return load_pages(DocumentSource(path.stem, (path,)), Settings())


def test_zero_byte_file(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"")
    with pytest.raises(LoadError, match="empty"):
        _load(tmp_path / "a.jpg")


def test_text_file_named_jpg(tmp_path):
    (tmp_path / "a.jpg").write_text("this is not an image")
    with pytest.raises(LoadError, match="not an image"):
        _load(tmp_path / "a.jpg")


def test_truncated_jpeg(tmp_path):
    data = (SCANS / "r01-2021-jpg-blank_p2.jpg").read_bytes()
    (tmp_path / "a.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(LoadError, match="truncated|corrupt"):
        _load(tmp_path / "a.jpg")


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused(tmp_path):
    (tmp_path / "bomb.png").write_bytes(_png_claiming(100000, 100000))
    with pytest.raises(LoadError, match="too large|over the limit"):
        _load(tmp_path / "bomb.png")


def test_corrupt_pdf(tmp_path):
    data = (SCANS / "r05-2021-pdf-blank.pdf").read_bytes()
    (tmp_path / "a.pdf").write_bytes(data[:200])
    with pytest.raises(LoadError, match="PDF"):
        _load(tmp_path / "a.pdf")


def test_too_many_pages(tmp_path):
    frames = [Image.new("L", (50, 50), 255) for _ in range(4)]
    frames[0].save(tmp_path / "many.tif", save_all=True, append_images=frames[1:])
    with pytest.raises(LoadError, match="at least 4 pages, over the limit --max-pages 3"):
        load_pages(DocumentSource("many", (tmp_path / "many.tif",)), Settings(max_pages=3))


# Rows of issue 13: inputs that once escaped the loader with another exception than LoadError.

def test_page_too_thin_for_a_table(tmp_path):
    Image.new("L", (20000, 10), 255).save(tmp_path / "strip.png")
    with pytest.raises(LoadError, match="20000x10 pixels is no page"):
        _load(tmp_path / "strip.png")


def test_page_shape_limits_are_settings(tmp_path):
    Image.new("L", (1200, 40), 255).save(tmp_path / "band.png")  # 30:1, 40 px high
    band = DocumentSource("band", (tmp_path / "band.png",))
    with pytest.raises(LoadError, match="a side under the limit --min-page-side 50"):
        load_pages(band, Settings())
    with pytest.raises(LoadError, match="over the limit --max-page-aspect 20 times"):
        load_pages(band, Settings(min_page_side=30))
    assert len(load_pages(band, Settings(min_page_side=30, max_page_aspect=40))) == 1
    Image.new("L", (200, 100), 255).save(tmp_path / "wide.png")
    with pytest.raises(LoadError, match="over the limit --max-page-aspect 1.5 times"):
        load_pages(DocumentSource("wide", (tmp_path / "wide.png",)), Settings(max_page_aspect=1.5))


@pytest.mark.parametrize("changes", [{"min_page_side": 0}, {"max_page_aspect": 0.5}, {"max_page_aspect": float("inf")},
                                     {"max_pages": 0}, {"max_file_bytes": -1}, {"min_page_side": 2.5},
                                     {"min_page_side": 10_000, "max_page_pixels": 1_000_000}])
def test_limits_that_admit_no_page_are_refused(changes):
    with pytest.raises(ValueError, match=next(iter(changes))):
        Settings(**changes)


@pytest.mark.parametrize(("changes", "choices"), [({"device": "gpu"}, "cpu, cuda"),
                                                  ({"engine": "tesseract"}, "onnxruntime, paddle, paddleocr"),
                                                  ({"cpu_threads": 0}, "at least 1"), ({"workers": 1.5}, "at least 1")])
def test_a_setting_no_run_can_honour_is_refused_naming_the_choices(changes, choices):
    """Settings(device="gpu") once ran on the CPU without a word: now every choice is checked."""
    with pytest.raises(ValueError, match=next(iter(changes))) as err:
        Settings(**changes)
    assert choices in str(err.value)


def test_only_the_settings_that_change_what_is_read_make_the_run_key():
    from digitizer.batch import run_key

    base = Settings(workers=1)
    assert run_key(base.with_(workers=2, cpu_threads=4, rec_batch_size=8)) == run_key(base)
    for changes in ({"engine": "onnxruntime"}, {"pdf_dpi": 300}, {"reread": False}, {"label_score": 70.0}):
        assert run_key(base.with_(**changes)) != run_key(base), changes
    assert set(base.result_settings()) >= {"engine", "pdf_dpi", "reread", "complete_grids", "text_layer"}
    assert not set(base.result_settings()) & {"workers", "cpu_threads", "device", "rec_batch_size", "model_dir"}


def test_pdf_page_of_one_by_twenty_thousand_points(tmp_path):
    (tmp_path / "thin.pdf").write_bytes(pdf_bytes([(1, 20000)]))
    with pytest.raises(LoadError, match="is no page"):
        _load(tmp_path / "thin.pdf")


def test_pdf_page_tree_claiming_more_pages_than_it_holds(tmp_path):
    (tmp_path / "count3.pdf").write_bytes(pdf_bytes([(595, 842)], count=3))
    with pytest.raises(LoadError, match="page 2 of 3 cannot be loaded"):
        _load(tmp_path / "count3.pdf")


def test_tiff_with_a_damaged_directory(tmp_path):
    frames = [Image.new("L", (300, 200), 200) for _ in range(2)]
    frames[0].save(tmp_path / "ok.tif", save_all=True, append_images=frames[1:])
    (tmp_path / "damaged.tif").write_bytes(damaged_tiff((tmp_path / "ok.tif").read_bytes()))
    with pytest.raises(LoadError, match="Missing dimensions"):
        _load(tmp_path / "damaged.tif")


def test_zero_page_pdf_after_an_encrypted_one_is_not_called_encrypted(tmp_path):
    (tmp_path / "locked.pdf").write_bytes(pdf_bytes([(595, 842)], encrypted=True))
    (tmp_path / "empty.pdf").write_bytes(pdf_bytes([]))
    with pytest.raises(LoadError, match="encrypted"):
        _load(tmp_path / "locked.pdf")
    for _ in range(2):  # after the encrypted one, and again alone
        with pytest.raises(LoadError) as caught:
            _load(tmp_path / "empty.pdf")
        assert "encrypted" not in str(caught.value) and "Success" not in str(caught.value)


def test_limits_are_named_with_their_value(tmp_path):
    (tmp_path / "a.pdf").write_bytes(pdf_bytes([(595, 842)] * 3))
    with pytest.raises(LoadError, match="3 pages, over the limit --max-pages 2"):
        load_pages(DocumentSource("a", (tmp_path / "a.pdf",)), Settings(max_pages=2))
    with pytest.raises(LoadError, match="over the limit --max-file-mb 0"):
        load_pages(DocumentSource("a", (tmp_path / "a.pdf",)), Settings(max_file_bytes=100))


# Document identity: path relative to the input folder; one file is one document however reached.

def _tree(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode())
    return root


def test_same_named_reports_in_two_folders_are_two_documents(tmp_path):
    root = _tree(tmp_path / "in", "p/same/rep.pdf", "q/same/rep.pdf", "other.pdf")
    docs = discover([root])
    assert sorted(d.document for d in docs) == ["other", "p__same__rep", "q__same__rep"]
    assert {d.relative for d in docs} == {"p/same/rep", "q/same/rep", "other"}


def test_ids_stay_plain_stems_without_collisions(tmp_path):
    root = _tree(tmp_path / "in", "a/one.pdf", "b/two.pdf", "b/three_p1.jpg", "b/three_p2.jpg")
    assert sorted(d.document for d in discover([root])) == ["one", "three", "two"]


def test_same_stem_in_one_folder_gets_the_extension(tmp_path):
    root = _tree(tmp_path / "in", "rep.pdf", "rep.jpg")
    assert sorted(d.document for d in discover([root])) == ["rep.jpg", "rep.pdf"]


def test_symlink_loop_and_folder_given_twice_read_each_file_once(tmp_path):
    root = _tree(tmp_path / "in", "rep.pdf", "sub/other.pdf")
    (root / "loop").symlink_to(".")
    (root / "sub" / "again.pdf").symlink_to(root / "rep.pdf")
    docs = discover([root, root, root / "sub"])
    assert sorted(d.document for d in docs) == ["other", "rep"]


def test_names_differing_only_in_space_or_underscore_stay_apart(tmp_path):
    root = _tree(tmp_path / "in", "x y.pdf", "x_y.pdf")
    assert sorted(d.document for d in discover([root])) == ["x y", "x_y"]
