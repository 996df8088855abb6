"""Hand-made bad inputs for the loader and batch tests: small PDFs written byte by byte (so their
page tree, page size and encryption can lie), and images of absurd shape."""

from __future__ import annotations

import hashlib


def pdf_bytes(sizes: list[tuple[float, float]], count: int | None = None, encrypted: bool = False) -> bytes:
    """A PDF with one blank page per (width, height) in points. ``count``: what the page tree
    claims (default: the truth); ``encrypted``: a standard-security /Encrypt entry whose user
    password is not empty, so a reader asks for one."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(len(sizes)))
    claimed = len(sizes) if count is None else count
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {claimed} >>".encode())
    for width, height in sizes:
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] >>".encode())
    trailer_extra = b""
    if encrypted:
        digest = hashlib.sha256(b"owner").hexdigest()
        objects.append(f"<< /Filter /Standard /V 1 /R 2 /O <{digest}> /U <{digest[::-1]}> /P -4 >>".encode())
        trailer_extra = f" /Encrypt {len(objects)} 0 R /ID [<{digest[:32]}> <{digest[:32]}>]".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R".encode() + trailer_extra
    out += f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def damaged_tiff(source: bytes) -> bytes:
    """A multi-page TIFF whose second directory lost its width and height tags (Pillow opens the
    file, then raises TypeError "Missing dimensions" on reaching that page)."""
    data = bytearray(source)
    order = "little" if data[:2] == b"II" else "big"

    def number(at: int, size: int) -> int:
        return int.from_bytes(data[at:at + size], order)

    first = number(4, 4)
    ifd = number(first + 2 + 12 * number(first, 2), 4)  # the second directory
    for i in range(number(ifd, 2)):
        at = ifd + 2 + 12 * i
        if number(at, 2) in (256, 257):  # ImageWidth, ImageLength -> unknown private tags
            data[at:at + 2] = (65000 + number(at, 2) - 256).to_bytes(2, order)
    return bytes(data)


def seed_files() -> dict[str, bytes]:
    """Small valid files of every format the loader reads: what the mutation fuzzing starts from."""
    import io

    from PIL import Image, ImageDraw

    page = Image.new("L", (240, 160), 255)
    draw = ImageDraw.Draw(page)
    for x in (20, 120, 220):
        draw.line([(x, 20), (x, 140)], fill=0, width=2)
    for y in (20, 80, 140):
        draw.line([(20, y), (220, y)], fill=0, width=2)

    def saved(image: Image.Image, fmt: str, **options: object) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    return {
        "gray.png": saved(page, "PNG"),
        "rgb.png": saved(page.convert("RGB"), "PNG"),
        "page.jpg": saved(page, "JPEG", quality=80),
        "pages.tif": saved(page, "TIFF", save_all=True, append_images=[page.rotate(90)]),
        "g4.tif": saved(page.convert("1"), "TIFF", compression="group4", save_all=True,
                        append_images=[page.convert("1")]),
        "page.bmp": saved(page, "BMP"),
        "page.webp": saved(page, "WEBP", quality=80),
        "image.pdf": saved(page, "PDF", resolution=72.0),
        "blank.pdf": pdf_bytes([(240, 160), (160, 240)]),
    }


_EXTREMES = (b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00\x00\x01", b"\x80\x00\x00\x00")
_PDF_TOKENS = (b"/Count ", b"/MediaBox [", b"/Kids [", b"/Length ", b"/Width ", b"/Height ", b" 0 R", b"endobj", b"xref")


def mutate(data: bytes, rng) -> bytes:
    """One random mutation of a file: flipped, overwritten, inserted, duplicated or cut bytes,
    extreme integers in header fields, or (PDFs) a lying number after a page-tree token."""
    if len(data) < 2:  # cut to (nearly) nothing by an earlier round: some bytes come back
        return data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    out = bytearray(data)
    kind = rng.randrange(7)
    at = rng.randrange(len(out))
    if kind == 0:
        for _ in range(rng.randint(1, 12)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    elif kind == 1:
        del out[rng.randint(1, len(out) - 1):]
    elif kind == 2:
        out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif kind == 3:
        end = min(len(out), at + rng.randint(1, 256))
        out[end:end] = out[at:end] * rng.randint(1, 4)
    elif kind == 4:
        at = rng.randrange(min(len(out), 64))  # headers: sizes, counts, offsets
        out[at:at + 4] = rng.choice(_EXTREMES)
    elif kind == 5:
        out[at:at + rng.randint(1, 512)] = b""
    else:
        token = rng.choice(_PDF_TOKENS)
        found = bytes(out).find(token)
        if found < 0:
            return mutate(data, rng)
        number = str(rng.choice([0, 1, 3, 7, -1, 2**31, 10**9, 99999, 0.0001])).encode()
        out[found + len(token):found + len(token)] = number + b" "
    return bytes(out)
