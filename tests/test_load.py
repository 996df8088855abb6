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
    with pytest.raises(LoadError, match="max_pages"):
        load_pages(DocumentSource("many", (tmp_path / "many.tif",)), Settings(max_pages=3))
