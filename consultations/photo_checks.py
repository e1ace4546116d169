"""What a photo file carries besides its image: the checks that find polyglot files.

A polyglot decodes as an image and is also something else: a ZIP (a "GIFAR" or a JPEG with an
archive appended), an HTML page or a script that a browser or another program would run. The
service re-encodes every photo from its pixels, which drops anything else, but a file that
carries such content was made on purpose, so it is refused rather than cleaned. Pure functions
over the file's bytes; no Django.

The file's structure is walked (JPEG segments, PNG chunks, WebP's RIFF chunks), before Pillow
reads it: a file whose structure cannot be walked to the image's end, or has more than
MAX_PARTS parts, is refused too, since what it hides cannot be known. Markup, and a ZIP's
end-of-directory record, are looked for in every part of the file except the compressed image
data (JPEG's entropy-coded scans, PNG's IDAT and fdAT chunks, WebP's VP8, VP8L, ALPH and ANMF
chunks) and a motion photo's video: those are as random as noise, so a marker turns up by
chance (two in 5,460 noise PNGs of 230 kB; "<svg", in either case, is expected once in about
500 million random bytes), and what is there is decoded as pixels, or dropped, and never
served. This is defence in depth, not a promise about what pixel data may spell: the
re-encoding is what makes a stored photo safe.

Allowed after a JPEG's end: padding; further JPEG images (phones append depth and gain maps
that way, in the Multi-Picture Format), walked in the same way; and a motion photo's video (a
Pixel's MP4, its boxes walked to the file's end, or a Samsung SEF trailer). Those are dropped
by the re-encoding too.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

# Markers of content a browser or an interpreter would act on, searched case-insensitively
# in every part of the file that is not compressed image data (metadata, comments, what
# follows the image).
ACTIVE_CONTENT = (
    b"<script",
    b"<html",
    b"<!doctype",
    b"<?php",
    b"<?xml",
    b"<svg",
    b"<iframe",
    b"<body",
    b"<img",
    b"<object",
    b"<embed",
    b"<meta",
    b"<style",
    b"<math",
    b"javascript:",
)
# A link (`<a href=...`): "<a " alone is three bytes, found by chance in one phone photo's
# embedded thumbnail in a thousand, so an attribute must follow.
_LINK = re.compile(rb"<a[\s/]+[a-z-]+\s*=", re.IGNORECASE)
# What extra_content says when the file's structure cannot be walked.
UNREADABLE = "unreadable structure"
PADDING = b"\x00\r\n\t "
ZIP_END = b"PK\x05\x06"

# The most JPEG segments (over all its images), PNG chunks or WebP chunks walked: a phone's
# JPEG has fewer than 50. Millions of empty ones (a 15 MB file holds four million) would make
# the walk, and Pillow's, take seconds of CPU; such a file is refused as unreadable. A PNG or
# WebP may have one more for every 8 kB of file: libpng writes its image data in 8 kB chunks.
MAX_PARTS = 1000
_PART_PER_BYTES = 8192
_NOT_FILL = re.compile(rb"[^\xff]")

_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: no length field
_PNG_IMAGE_DATA = {b"IDAT", b"fdAT"}
_WEBP_IMAGE_DATA = {b"VP8 ", b"VP8L", b"ALPH", b"ANMF"}

# A layout: the byte ranges (start, stop) that are not compressed image data, and the offset
# where the image (the last of a JPEG's appended images) ends.
Layout = tuple[list[tuple[int, int]], int]


def extra_content(data: bytes, image_format: str) -> str | None:
    """What the file carries besides one image of `image_format`, in a few words (UNREADABLE
    when its structure cannot be walked); None when it is a plain image."""
    layout = {"JPEG": _jpeg_layout, "PNG": _png_layout, "WEBP": _webp_layout}[image_format](data)
    if layout is None:
        return UNREADABLE
    ranges, end = layout
    video = _motion_video(data, end) if image_format == "JPEG" else None
    if video == UNREADABLE:
        return UNREADABLE
    if isinstance(video, list):  # the video's parts other than its media data are scanned
        ranges, end = [*ranges, *video], len(data)
    runs = _merged([*ranges, (end, len(data))])
    for start, stop in runs:
        lowered = data[start:stop].lower()
        if any(marker in lowered for marker in ACTIVE_CONTENT) or _LINK.search(lowered):
            return "web page or script"
    # A ZIP's end record in the metadata, or a whole ZIP reader's view of the file (what
    # follows its end, or hidden in image or video data near the end).
    if any(ZIP_END in data[start:stop] for start, stop in runs) or _is_zip(data):
        return "archive"
    if data[end:].strip(PADDING):
        return "other data after the image"
    return None


def _motion_video(data: bytes, start: int) -> list[tuple[int, int]] | str | None:
    """A motion photo's video after the JPEG, if that is what follows: the ranges to scan (all
    but the compressed media), UNREADABLE when it cannot be walked; None when it is not one."""
    if data[start + 4 : start + 8] == b"ftyp":  # ISO media (MP4): a Pixel's motion photo
        return _bmff_layout(data, start)
    if data.endswith(b"SEFT") and b"SEFH" in data[start:]:  # Samsung's trailer
        # ... data blocks, then the directory ("SEFH"...), its size (4 bytes) and "SEFT".
        (size,) = struct.unpack("<I", data[-8:-4])
        directory = len(data) - 8 - size
        if directory < start or (size and not data.startswith(b"SEFH", directory)):
            return UNREADABLE
        return [(directory, len(data))]
    return None


def _bmff_layout(data: bytes, start: int) -> list[tuple[int, int]] | str:
    """An MP4's top-level boxes to the file's end: each box, but only the header of its media
    data ("mdat": compressed video and sound)."""
    ranges: list[tuple[int, int]] = []
    pos = start
    for _ in range(MAX_PARTS):
        if pos == len(data):
            return ranges
        if pos + 8 > len(data):
            return UNREADABLE
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind, header = data[pos + 4 : pos + 8], 8
        if size == 1:  # a 64-bit size follows the type
            if pos + 16 > len(data):
                return UNREADABLE
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:  # to the end of the file
            size = len(data) - pos
        if size < header or pos + size > len(data):
            return UNREADABLE
        ranges.append((pos, pos + header) if kind == b"mdat" else (pos, pos + size))
        pos += size
    return UNREADABLE


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent ranges joined, so that a marker across two segments is still found."""
    runs: list[tuple[int, int]] = []
    for start, stop in sorted(r for r in ranges if r[1] > r[0]):
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(stop, runs[-1][1]))
        else:
            runs.append((start, stop))
    return runs


def _is_zip(data: bytes) -> bool:
    """A ZIP reader finds its directory from the end of the file, so a JPEG with an archive
    appended opens as a ZIP. The directory must be readable: four bytes of noise that spell
    the end record are not an archive."""
    if ZIP_END not in data[-(65536 + 22) :]:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return False


def _jpeg_layout(data: bytes) -> Layout | None:
    """The first image, and each further JPEG image after it (padding allowed between)."""
    ranges: list[tuple[int, int]] = []
    pos = 0
    parts = [0]  # segments walked so far, over all the images
    while True:
        walked = _jpeg_walk(data, pos, parts)
        if walked is None:
            return None
        image_ranges, end = walked
        ranges.extend(image_ranges)
        following = end
        while following < len(data) and data[following] in PADDING:
            following += 1
        if not data.startswith(b"\xff\xd8\xff", following):
            return ranges, end
        ranges.append((end, following))
        pos = following


def _jpeg_walk(data: bytes, start: int, parts: list[int]) -> Layout | None:
    """One JPEG image from `start`: its segments (entropy-coded data left out) and the offset
    just after its end-of-image marker; None when the structure is damaged (a stray byte
    between segments, a length past the end, no end-of-image marker) or has more than
    MAX_PARTS segments (`parts` counts them over all the images)."""
    if not data.startswith(b"\xff\xd8", start):
        return None
    ranges: list[tuple[int, int]] = []
    pos, size = start + 2, len(data)
    segment_start = start
    while pos < size:
        if data[pos] != 0xFF:
            return None
        parts[0] += 1
        if parts[0] > MAX_PARTS:
            return None
        fill_end = _NOT_FILL.search(data, pos)  # fill bytes
        if fill_end is None:
            return None
        pos = fill_end.start()
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            ranges.append((segment_start, pos))
            return ranges, pos
        if marker in _JPEG_STANDALONE:
            continue
        if pos + 2 > size:
            return None
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > size:
            return None
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            ranges.append((segment_start, pos))
            pos = _scan_end(data, pos)
            if pos < 0:
                return None
            segment_start = pos
    return None


def _scan_end(data: bytes, pos: int) -> int:
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return -1
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
            continue
        if following == 0xFF:  # fill bytes: the marker is after them
            fill_end = _NOT_FILL.search(data, pos)
            if fill_end is None:
                return -1
            following = data[fill_end.start()]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                pos = fill_end.start() + 1
                continue
        return pos


def _png_layout(data: bytes) -> Layout | None:
    """Every chunk up to IEND (text, metadata, palette, unknown ones) but the image data."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    ranges: list[tuple[int, int]] = []
    pos = 8
    for _ in range(MAX_PARTS + len(data) // _PART_PER_BYTES):
        if pos + 12 > len(data):
            return None
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return None
        if kind not in _PNG_IMAGE_DATA:
            ranges.append((pos, end))
        pos = end
        if kind == b"IEND":
            return ranges, pos
    return None


def _webp_layout(data: bytes) -> Layout | None:
    """The RIFF chunks other than image data (EXIF, XMP, ICC profile, unknown ones)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    (riff_length,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_length + (riff_length & 1)
    if end > len(data):
        return None
    ranges: list[tuple[int, int]] = [(0, 12)]
    pos = 12
    while pos + 8 <= end:
        if len(ranges) > MAX_PARTS + len(data) // _PART_PER_BYTES:
            return None
        kind = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        chunk_end = pos + 8 + length + (length & 1)
        if chunk_end > end:
            return None
        ranges.append((pos, pos + 8) if kind in _WEBP_IMAGE_DATA else (pos, chunk_end))
        pos = chunk_end
    if pos != end:
        return None
    return ranges, end


def sniffed_format(data: bytes) -> str | None:
    """JPEG, PNG or WEBP, from the file's first bytes (to walk its structure before Pillow
    does); None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


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
