"""What a photo file carries besides its image: the checks that find polyglot files.

A polyglot decodes as an image and is also something else: a ZIP (a "GIFAR" or a JPEG with an
archive appended), an HTML page or a script that a browser or another program would run. The
service re-encodes every photo from its pixels, which drops anything else, but a file that
carries such content was made on purpose, so it is refused rather than cleaned. Pure functions
over the file's bytes; no Django.

Allowed after a JPEG's end: padding, and further JPEG images (phones append depth and gain maps
that way, in the Multi-Picture Format); those are dropped by the re-encoding too.
"""

from __future__ import annotations

import io
import struct
import zipfile

# Markers of content a browser or an interpreter would act on, searched case-insensitively
# anywhere in the file (in a comment or metadata segment as much as after the image).
ACTIVE_CONTENT = (
    b"<script",
    b"<html",
    b"<!doctype",
    b"<?php",
    b"<svg",
    b"<iframe",
    b"<body",
    b"javascript:",
)

_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: no length field


def extra_content(data: bytes, image_format: str) -> str | None:
    """What the file carries besides one image of `image_format`, in a few words; None when
    it is a plain image."""
    lowered = data.lower()
    for marker in ACTIVE_CONTENT:
        if marker in lowered:
            return "web page or script"
    if _is_zip(data):
        return "archive"
    end = {"JPEG": _jpeg_end, "PNG": _png_end, "WEBP": _webp_end}[image_format](data)
    if end is None:
        return None  # a damaged structure: the decoder has the last word
    trailing = data[end:].strip(b"\x00\r\n\t ")
    if not trailing:
        return None
    if image_format == "JPEG" and trailing.startswith(b"\xff\xd8\xff"):
        return None
    return "other data after the image"


def _is_zip(data: bytes) -> bool:
    """A ZIP reader finds its directory from the end of the file, so a JPEG with an archive
    appended opens as a ZIP."""
    if b"PK\x05\x06" not in data[-(65536 + 22) :]:
        return False
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except (OSError, ValueError):
        return False


def _jpeg_end(data: bytes) -> int | None:
    """The offset just after the first image's end-of-image marker (segments walked, entropy
    coded data skipped), or None when the structure is damaged."""
    if not data.startswith(b"\xff\xd8"):
        return None
    pos, size = 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            return None
        while pos < size and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= size:
            return None
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return pos
        if marker in _JPEG_STANDALONE:
            continue
        if pos + 2 > size:
            return None
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            pos = _scan_end(data, pos)
            if pos < 0:
                return None
    return None


def _scan_end(data: bytes, pos: int) -> int:
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return -1
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos


def _png_end(data: bytes) -> int | None:
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    return None


def _webp_end(data: bytes) -> int | None:
    if len(data) < 12 or data[:4] != b"RIFF":
        return None
    (length,) = struct.unpack("<I", data[4:8])
    return 8 + length + (length & 1)


def looks_like_heic(data: bytes) -> bool:
    """HEIC and HEIF (an iPhone's default) and AVIF: an ISO media file whose brand is one of
    theirs."""
    return data[4:8] == b"ftyp" and data[8:12] in {
        b"heic",
        b"heix",
        b"hevc",
        b"hevx",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
        b"avif",
        b"avis",
    }
