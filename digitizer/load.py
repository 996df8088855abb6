"""Stage 1: find documents in folders and load their pages as grayscale images.

Loose page images named `<stem>_p1.jpg`, `<stem>_p2.jpg` or `<stem>-001.png` form one document.
Images are read with Pillow (multi-page and bilevel TIFF included), PDFs rendered with pypdfium2.
Every way a file can be unreadable ends in a LoadError with a plain reason.
"""

from __future__ import annotations

import os
import re
import struct
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from . import textlayer
from .errors import LoadError
from .settings import Settings
from .types import DocumentSource, Page, TextLayer

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"})
PDF_SUFFIXES = frozenset({".pdf"})
SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES
_LOOSE_PAGE = re.compile(r"^(?P<stem>.+?)(?:_p(?P<a>\d{1,4})|-(?P<b>\d{3,4}))$")


def _page_key(path: Path) -> tuple[str, int] | None:
    match = _LOOSE_PAGE.match(path.stem)
    if match is None or path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    return match["stem"], int(match["a"] or match["b"])


def _walk(path: Path, seen_dirs: set[tuple[int, int]]) -> Iterator[Path]:
    """Files under path. A folder is entered once however it is reached (a symlink loop such as
    `ln -s . loop`, or the same folder given twice, would otherwise repeat its files)."""
    if path.is_dir():
        try:
            stat = path.stat()
            children = sorted(path.iterdir())
        except OSError as err:
            raise LoadError(f"cannot list folder {path}: {err.strerror}") from err
        if (stat.st_dev, stat.st_ino) in seen_dirs:
            return
        seen_dirs.add((stat.st_dev, stat.st_ino))
        for child in children:
            if not child.name.startswith("."):
                yield from _walk(child, seen_dirs)
    elif path.suffix.lower() in SUFFIXES and path.is_file():
        yield path


def _base(roots: list[Path]) -> Path:
    """What relative paths are measured from: the folder given (a file's folder), or the common
    folder of several."""
    folders = [os.path.abspath(r if r.is_dir() else r.parent) for r in roots]
    return Path(os.path.commonpath(folders))


def discover(inputs: Iterable[Path]) -> list[DocumentSource]:
    """Documents under the given files and folders (recursively), in a stable order. A file
    reached twice (a symlink to it, a folder given twice) is one document."""
    roots = [Path(r) for r in inputs]
    for root in roots:
        if not root.exists():
            raise LoadError(f"{root} does not exist")
    base = _base(roots)
    singles: list[DocumentSource] = []
    grouped: dict[tuple[Path, str], list[tuple[int, Path]]] = defaultdict(list)
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[str] = set()
    for root in roots:
        for path in _walk(root, seen_dirs):
            real = os.path.realpath(path)
            if real in seen_files:
                continue
            seen_files.add(real)
            relative = Path(os.path.relpath(os.path.abspath(path), base)).with_suffix("").as_posix()
            key = _page_key(path)
            if key is None:
                singles.append(DocumentSource(path.stem, (path,), relative))
            else:
                grouped[(path.parent, key[0])].append((key[1], path))
    for (parent, stem), pages in grouped.items():
        relative = Path(os.path.relpath(os.path.abspath(parent / stem), base)).as_posix()
        singles.append(DocumentSource(stem, tuple(p for _, p in sorted(pages)), relative))
    return sorted(_unique_names(singles), key=lambda d: (str(d.paths[0].parent), d.document))


def _unique_names(documents: list[DocumentSource]) -> list[DocumentSource]:
    """Document ids are file stems (the output contract). Only where two documents share one is
    the id made longer, step by step until it is unique: the path relative to the input folder
    with `__` between folders (p/rep.pdf and q/rep.pdf: `p__rep`, `q__rep`), then the extension
    (rep.jpg and rep.pdf in one folder: `rep.jpg`, `rep.pdf`), then a counter (`rep~2`)."""
    def flat(d: DocumentSource) -> str:
        return (d.relative or d.document).replace("/", "__")

    steps = (flat, lambda d: f"{flat(d)}.{d.paths[0].suffix.lstrip('.').lower()}")
    documents = sorted(documents, key=lambda d: (d.relative, d.paths))
    for step in steps:
        counts = Counter(d.document for d in documents)
        documents = [replace(d, document=step(d)) if counts[d.document] > 1 else d for d in documents]
    counts, used = Counter(d.document for d in documents), Counter[str]()
    numbered = []
    for d in documents:
        used[d.document] += 1
        clash = counts[d.document] > 1 and used[d.document] > 1
        numbered.append(replace(d, document=f"{d.document}~{used[d.document]}") if clash else d)
    return numbered


def _to_gray(image: Image.Image) -> np.ndarray:
    if image.mode in ("1", "L"):
        return np.asarray(image.convert("L"), dtype=np.uint8)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode == "I;16" or image.mode.startswith("I"):
        arr = np.asarray(image, dtype=np.float64)
        span = max(arr.max() - arr.min(), 1.0)
        return ((arr - arr.min()) / span * 255).astype(np.uint8)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


# What Pillow raises on a corrupt or lying file, beyond its own UnidentifiedImageError: Image.open
# itself treats SyntaxError, IndexError, TypeError and struct.error as "not this format", but the
# same errors come out of seeking to a damaged later frame (TIFF: TypeError "Missing dimensions",
# KeyError of a missing tag) or decoding it (OSError, ValueError, EOFError).
_PILLOW_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, EOFError, struct.error)

def limit(option: str, value: float) -> str:
    """How a reason names a limit: its value and the option that sets it."""
    return f"the limit {option} {value:g}" if isinstance(value, float) else f"the limit {option} {value}"


def _check_page_shape(width: int, height: int, settings: Settings) -> None:
    if width * height > settings.max_page_pixels:
        raise LoadError(f"page of {width}x{height} pixels is over {limit('--max-page-pixels', settings.max_page_pixels)}")
    # A page needs room for ruling lines and a text line: anything thinner, or a strip many times
    # longer than wide, is no page (and would shrink to nothing in preprocessing).
    side, aspect = settings.min_page_side, settings.max_page_aspect
    if min(width, height) < side:
        raise LoadError(f"page of {width}x{height} pixels is no page: a side under {limit('--min-page-side', side)}")
    if max(width, height) > aspect * min(width, height):
        raise LoadError(f"page of {width}x{height} pixels is no page: one side over "
                        f"{limit('--max-page-aspect', aspect)} times the other")


def _too_many_pages(count: int | str, settings: Settings) -> LoadError:
    return LoadError(f"{count} pages, over {limit('--max-pages', settings.max_pages)}")


def _image_frames(path: Path, settings: Settings) -> list[np.ndarray]:
    frames: list[np.ndarray] = []
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            if len(frames) >= settings.max_pages:
                raise _too_many_pages(f"at least {settings.max_pages + 1}", settings)
            _check_page_shape(*frame.size, settings)
            frame.load()
            frames.append(_to_gray(frame))
    return frames


def _load_image_file(path: Path, settings: Settings) -> list[np.ndarray]:
    Image.MAX_IMAGE_PIXELS = settings.max_page_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _image_frames(path, settings)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise LoadError(f"image too large to open safely ({err})") from err
    except UnidentifiedImageError as err:
        raise LoadError("not an image Pillow can read (wrong extension or corrupt file)") from err
    except _PILLOW_ERRORS as err:
        raise LoadError(f"corrupt or truncated image: {type(err).__name__}: {err}") from err


def _declares_encryption(path: Path) -> bool:
    """Whether the PDF names an /Encrypt dictionary. PDFium's own error code cannot tell: it is the
    last error of the process, so a broken file read after an encrypted one would claim a password."""
    tail = b""
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            if b"/Encrypt" in tail[-16:] + block:
                return True
            tail = block
    return False


def _open_pdf(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        if _declares_encryption(path):
            raise LoadError("the PDF is encrypted; remove its password (e.g. qpdf --decrypt) and run again") from err
        raise LoadError("corrupt or unreadable PDF: PDFium cannot open it") from err


def _render(page, settings: Settings) -> tuple[np.ndarray, TextLayer | None]:
    """The page as pixels, and its text layer where it has a usable one (and it is wanted)."""
    width, height = page.get_size()  # points
    if not (0 < width < 1e6 and 0 < height < 1e6):
        raise LoadError(f"a page of {width}x{height} points has no usable size")
    scale = settings.pdf_dpi / 72.0
    if width * height * scale * scale > settings.max_page_pixels:
        scale = (settings.max_page_pixels / (width * height)) ** 0.5
    _check_page_shape(round(width * scale), round(height * scale), settings)
    bitmap = page.render(scale=scale, grayscale=True)
    text = None
    if settings.text_layer:
        try:
            text = textlayer.extract(page, scale)
        except Exception:  # noqa: BLE001 - a text layer PDFium cannot read: the page is read by OCR
            text = None
    return np.array(bitmap.to_pil().convert("L"), dtype=np.uint8), text


def _load_pdf(path: Path, settings: Settings) -> list[tuple[np.ndarray, TextLayer | None]]:
    import pypdfium2 as pdfium

    pdf = _open_pdf(path)
    try:
        count = len(pdf)
        if count > settings.max_pages:
            raise _too_many_pages(count, settings)
        pages = []
        for index in range(count):
            try:  # the page tree may claim pages the file does not hold
                pages.append(_render(pdf[index], settings))
            except pdfium.PdfiumError as err:
                raise LoadError(f"corrupt PDF: page {index + 1} of {count} cannot be loaded ({err})") from err
        return pages
    finally:
        pdf.close()


def check_files(source: DocumentSource, settings: Settings) -> None:
    """What can be known without reading a byte: every file exists, is not empty and is within
    the size limit. Checked before a document is hashed or loaded."""
    for path in source.paths:
        try:
            size = path.stat().st_size
        except OSError as err:
            raise LoadError(f"cannot read {path.name}: {err.strerror}") from err
        if size == 0:
            raise LoadError(f"{path.name} is empty (0 bytes)")
        if size > settings.max_file_bytes:
            mb = settings.max_file_bytes // 1_000_000
            raise LoadError(f"{path.name} is {size:,} bytes, over {limit('--max-file-mb', mb)} ({mb:,} MB)")


def load_pages(source: DocumentSource, settings: Settings) -> list[Page]:
    """The pages of one document in order; a LoadError says why a document cannot be read."""
    check_files(source, settings)
    pages: list[Page] = []
    for path in source.paths:
        loaded: Iterable[tuple[np.ndarray, TextLayer | None]]
        if path.suffix.lower() in PDF_SUFFIXES:
            loaded = _load_pdf(path, settings)
        else:
            loaded = ((image, None) for image in _load_image_file(path, settings))
        for image, text in loaded:
            if len(pages) >= settings.max_pages:
                raise _too_many_pages(f"at least {settings.max_pages + 1}", settings)
            pages.append(Page(len(pages) + 1, image, path.name, text))
    if not pages:
        raise LoadError("no pages")
    return pages
