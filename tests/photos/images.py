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


def png_bomb(
    side: int = 12_000, *, height: int | None = None, bands: int = 1, complete: bool = False
) -> bytes:
    """A PNG that says it is side x side (or side x height) pixels of `bands` 8-bit bands (1:
    greyscale, 3: RGB, 4: RGBA): a few kilobytes that would decode to hundreds of megabytes (a
    decompression bomb). Written by hand, so that making it costs nothing: the header chunk
    and a small zlib stream of zeros (of the first rows only, unless `complete`)."""
    import zlib

    height = side if height is None else height
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[bands]
    header = struct.pack(">IIBBBBB", side, height, 8, colour_type, 0, 0, 0)
    row = b"\x00" + b"\x00" * (side * bands)
    compressor = zlib.compressobj(9)
    body = (
        b"".join(compressor.compress(row) for _ in range(height if complete else 64))
        + compressor.flush()
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
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


def jpeg_with_stray_byte(tail: bytes = b"") -> bytes:
    """A JPEG with one stray byte after its APP0 (JFIF) segment, which decoders skip with a
    warning, then `tail`: a structure that cannot be walked to the image's end."""
    data = jpeg_bytes()
    assert data[2:4] == b"\xff\xe0"
    app0_end = 4 + struct.unpack(">H", data[4:6])[0]
    return data[:app0_end] + b"\x00" + data[app0_end:] + tail


def png_chunk(kind: bytes, data: bytes) -> bytes:
    import zlib

    crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return struct.pack(">I", len(data)) + kind + data + crc


def png_stored(width: int, height: int, pixels: bytes, text: bytes = b"") -> bytes:
    """A greyscale PNG whose image data is stored, not compressed (zlib level 0): its pixel
    bytes appear as they are in the file. `text`: an ancillary tEXt chunk."""
    import zlib

    rows = b"".join(b"\x00" + pixels[y * width : (y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + (png_chunk(b"tEXt", b"Comment\x00" + text) if text else b"")
        + png_chunk(b"IDAT", zlib.compress(rows, 0))
        + png_chunk(b"IEND", b"")
    )


def noise(seed: int, image_format: str, width: int = 320, height: int = 240) -> bytes:
    """A photo of random colours (the same for the same seed): its compressed data is as
    random as a real photo's."""
    import random

    pixels = random.Random(seed).randbytes(width * height * 3)
    image = Image.frombytes("RGB", (width, height), pixels)
    buffer = io.BytesIO()
    image.save(buffer, image_format, **({"quality": 100} if image_format == "JPEG" else {}))
    return buffer.getvalue()
