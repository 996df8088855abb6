"""Stage 1: find documents in folders and load their pages as grayscale images.

Loose page images named `<stem>_p1.jpg`, `<stem>_p2.jpg` or `<stem>-001.png` form one document.
Images are read with Pillow (multi-page and bilevel TIFF included), PDFs rendered with pypdfium2.
Every way a file can be unreadable ends in a LoadError with a plain reason.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from .errors import LoadError
from .settings import Settings
from .types import DocumentSource, Page

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"})
PDF_SUFFIXES = frozenset({".pdf"})
SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES
_LOOSE_PAGE = re.compile(r"^(?P<stem>.+?)(?:_p(?P<a>\d{1,4})|-(?P<b>\d{3,4}))$")


def _page_key(path: Path) -> tuple[str, int] | None:
    match = _LOOSE_PAGE.match(path.stem)
    if match is None or path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    return match["stem"], int(match["a"] or match["b"])


def _walk(path: Path) -> Iterator[Path]:
    if path.is_dir():
        try:
            children = sorted(path.iterdir())
        except OSError as err:
            raise LoadError(f"cannot list folder {path}: {err.strerror}") from err
        for child in children:
            if not child.name.startswith("."):
                yield from _walk(child)
    elif path.suffix.lower() in SUFFIXES:
        yield path


def discover(inputs: Iterable[Path]) -> list[DocumentSource]:
    """Documents under the given files and folders (recursively), in a stable order."""
    singles: list[DocumentSource] = []
    grouped: dict[tuple[Path, str], list[tuple[int, Path]]] = defaultdict(list)
    for root in inputs:
        root = Path(root)
        if not root.exists():
            raise LoadError(f"{root} does not exist")
        for path in _walk(root):
            key = _page_key(path)
            if key is None:
                singles.append(DocumentSource(path.stem, (path,)))
            else:
                grouped[(path.parent, key[0])].append((key[1], path))
    for (_, stem), pages in grouped.items():
        singles.append(DocumentSource(stem, tuple(p for _, p in sorted(pages))))
    return sorted(_unique_names(singles), key=lambda d: (str(d.paths[0].parent), d.document))


def _unique_names(documents: list[DocumentSource]) -> list[DocumentSource]:
    """Document ids are file stems; where two documents share one (report.jpg and report.pdf, or
    the same name in two folders) the extension, then the folder, is added so no output is lost."""
    def renamed(docs: list[DocumentSource], name) -> list[DocumentSource]:
        return [DocumentSource(name(d), d.paths) for d in docs]

    for naming in (
        lambda d: f"{d.document}.{d.paths[0].suffix.lstrip('.').lower()}",
        lambda d: f"{d.paths[0].parent.name}_{d.document}",
    ):
        counts: dict[str, int] = defaultdict(int)
        for d in documents:
            counts[d.document] += 1
        if all(n == 1 for n in counts.values()):
            break
        documents = [renamed([d], naming)[0] if counts[d.document] > 1 else d for d in documents]
    return documents


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


def _load_image_file(path: Path, settings: Settings) -> list[np.ndarray]:
    Image.MAX_IMAGE_PIXELS = settings.max_page_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                frames = []
                for frame in ImageSequence.Iterator(image):
                    if len(frames) >= settings.max_pages:
                        raise LoadError(f"more than {settings.max_pages} pages (setting max_pages)")
                    w, h = frame.size
                    if w * h > settings.max_page_pixels:
                        raise LoadError(
                            f"page of {w}x{h} pixels is over the limit of {settings.max_page_pixels} (setting max_page_pixels)"
                        )
                    frame.load()
                    frames.append(_to_gray(frame))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise LoadError(f"image too large to open safely ({err})") from err
    except UnidentifiedImageError as err:
        raise LoadError("not an image Pillow can read (wrong extension or corrupt file)") from err
    except (OSError, SyntaxError, ValueError) as err:
        raise LoadError(f"corrupt or truncated image: {err}") from err
    return frames


def _load_pdf(path: Path, settings: Settings) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        reason = str(err)
        if "password" in reason.lower():
            raise LoadError("the PDF is encrypted; remove its password (e.g. qpdf --decrypt) and run again") from err
        raise LoadError(f"corrupt or unreadable PDF: {reason}") from err
    try:
        if len(pdf) > settings.max_pages:
            raise LoadError(f"{len(pdf)} pages, more than {settings.max_pages} (setting max_pages)")
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()  # points
            scale = settings.pdf_dpi / 72.0
            if width * height * scale * scale > settings.max_page_pixels:
                scale = (settings.max_page_pixels / (width * height)) ** 0.5
            bitmap = page.render(scale=scale, grayscale=True)
            pages.append(np.array(bitmap.to_pil().convert("L"), dtype=np.uint8))
        return pages
    finally:
        pdf.close()


def load_pages(source: DocumentSource, settings: Settings) -> list[Page]:
    """The pages of one document in order; a LoadError says why a document cannot be read."""
    pages: list[Page] = []
    for path in source.paths:
        try:
            size = path.stat().st_size
        except OSError as err:
            raise LoadError(f"cannot read {path.name}: {err.strerror}") from err
        if size == 0:
            raise LoadError(f"{path.name} is empty (0 bytes)")
        if size > settings.max_file_bytes:
            raise LoadError(f"{path.name} is {size} bytes, over the limit (setting max_file_bytes)")
        loader = _load_pdf if path.suffix.lower() in PDF_SUFFIXES else _load_image_file
        for image in loader(path, settings):
            if len(pages) >= settings.max_pages:
                raise LoadError(f"more than {settings.max_pages} pages (setting max_pages)")
            pages.append(Page(len(pages) + 1, image, path.name))
    if not pages:
        raise LoadError("no pages")
    return pages
