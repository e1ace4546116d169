"""A file's structure is walked before Pillow reads it: millions of empty segments or chunks
(seconds of CPU for one upload) are refused as damaged, and real layouts are not."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from consultations.services.photo_files import PhotoRefused, photo_clean
from tests.photos import images

DAMAGED = (
    "This photo's file is damaged or not laid out as a photo should be, so we cannot accept "
    "it. Take the photo again, or choose another one."
)
MAX_PARTS = 1000  # consultations.photo_checks.MAX_PARTS


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(PhotoRefused) as caught:
        photo_clean(images.upload(data, **kwargs))
    return caught.value.message


def test_a_jpeg_of_a_million_empty_comments_is_refused_as_damaged():
    data = images.jpeg_bytes()
    crafted = data[:2] + b"\xff\xfe\x00\x02" * 1_000_000 + data[2:]
    assert images.decoded(crafted).format == "JPEG"  # Pillow would walk them all

    assert refused(crafted) == DAMAGED


def test_a_jpeg_with_a_few_comments_more_than_a_phone_writes_is_still_accepted():
    data = images.jpeg_bytes()
    crafted = data[:2] + b"\xff\xfe\x00\x02" * 200 + data[2:]
    assert photo_clean(images.upload(crafted)).width == 640


def test_a_png_of_a_million_empty_chunks_is_refused_as_damaged():
    data = images.png_bytes()
    end = data.rindex(b"IEND") - 4
    crafted = data[:end] + images.png_chunk(b"zzZz", b"") * 1_000_000 + data[end:]

    assert refused(crafted, name="p.png", content_type="image/png") == DAMAGED


def test_a_webp_of_many_empty_chunks_is_refused_as_damaged():
    data = images.webp_bytes()
    extra = b"zzZz\x00\x00\x00\x00" * 100_000
    riff = data[:4] + (len(data) - 8 + len(extra)).to_bytes(4, "little") + data[8:] + extra

    assert refused(riff, name="p.webp", content_type="image/webp") == DAMAGED


def test_a_png_whose_image_data_comes_in_many_8_kb_chunks_is_accepted():
    """libpng (Android screenshots) writes its image data in 8 kB chunks: a large PNG has more
    of them than MAX_PARTS."""
    pixels = Image.frombytes("RGB", (1200, 1200), bytes(range(256)) * 16875)
    buffer = io.BytesIO()
    pixels.save(buffer, "PNG", compress_level=0)
    data = buffer.getvalue()
    start = data.index(b"IDAT") - 4
    stop = data.rindex(b"IEND") - 4
    decoder, stream, cursor = zlib.decompressobj(), b"", start
    while cursor < stop:  # the image data, joined from Pillow's chunks
        length = int.from_bytes(data[cursor : cursor + 4], "big")
        stream += data[cursor + 8 : cursor + 8 + length]
        cursor += 12 + length
    assert decoder.decompress(stream)
    chunks = b"".join(
        images.png_chunk(b"IDAT", stream[i : i + 4096]) for i in range(0, len(stream), 4096)
    )
    relaid = data[:start] + chunks + data[stop:]
    assert len(stream) // 4096 > MAX_PARTS

    clean = photo_clean(images.upload(relaid, "p.png", "image/png"))

    assert (clean.width, clean.height) == (1200, 1200)
