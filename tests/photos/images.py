"""Synthetic test photos made with Pillow (no real faces): plain gradients with a mark that
shows which way up they are, with or without GPS EXIF, and the hostile files the upload must
refuse."""

from __future__ import annotations

import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 150, 130)):
    """A skin-toned picture with a dark block at the top left (to see orientation)."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((20, 20, 20), (0, 0, width // 4, height // 4))
    return image


def jpeg_bytes(
    image: Image.Image | None = None, *, gps: bool = False, orientation: int = 0, **save
) -> bytes:
    image = image or picture()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (1.0, 17.0, 0.0), 3: "E", 4: (103.0, 51.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, **save)
    return buffer.getvalue()


def png_bytes(image: Image.Image | None = None) -> bytes:
    buffer = io.BytesIO()
    (image or picture()).save(buffer, "PNG")
    return buffer.getvalue()


def webp_bytes(image: Image.Image | None = None) -> bytes:
    buffer = io.BytesIO()
    (image or picture()).save(buffer, "WEBP")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<p>hello</p>")
    return buffer.getvalue()


def jpeg_with_zip() -> bytes:
    """A GIFAR-like polyglot: a valid JPEG that is also a valid ZIP archive."""
    return jpeg_bytes() + zip_bytes()


def jpeg_with_html() -> bytes:
    return jpeg_bytes() + b"<html><script>alert(document.cookie)</script></html>"


def jpeg_with_trailing_data() -> bytes:
    return jpeg_bytes() + b"\x01\x02\x03 not an image at all " * 20


def png_bomb(side: int = 12_000) -> bytes:
    """A PNG that says it is side x side pixels: a few kilobytes that would decode to
    hundreds of megabytes (a decompression bomb). Written by hand, so that making it costs
    nothing: the header chunk and a small zlib stream of zeros."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * side
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def heic_bytes() -> bytes:
    """The start of an iPhone HEIC file (ISO media, brand heic): enough to be recognised."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 200


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
