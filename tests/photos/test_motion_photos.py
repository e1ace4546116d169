"""Motion photos: a JPEG followed by its short video (a Pixel's MP4, a Samsung SEF trailer) is
accepted and kept as the still photo alone; any other data after the image stays refused."""

from __future__ import annotations

import random
import struct

import pytest

from consultations.services.photo_files import PhotoRefused, photo_clean
from tests.photos import images

# Compressed video: noise, which may spell anything (it is never scanned, never kept).
MEDIA = random.Random(7).randbytes(20_000) + b"<svg onload=alert(1)>" + b"PK\x05\x06"


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(moov: bytes = b"\x00" * 100) -> bytes:
    return (
        box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom")
        + box(b"moov", box(b"mvhd", moov))
        + box(b"mdat", MEDIA)
    )


def sef_trailer() -> bytes:
    """Samsung's layout: data blocks, then a directory ("SEFH"), its size and "SEFT"."""
    name = b"MotionPhoto_Data"
    block = b"\x00\x00\x30\x0a" + struct.pack("<I", len(name)) + name + mp4()
    entry = struct.pack("<HHII", 0, 0x0A30, len(block), len(block))
    directory = b"SEFH" + struct.pack("<II", 106, 1) + entry
    return block + directory + struct.pack("<I", len(directory)) + b"SEFT"


def refused(data: bytes) -> str:
    with pytest.raises(PhotoRefused) as caught:
        photo_clean(images.upload(data))
    return caught.value.message


@pytest.mark.parametrize("video", [mp4(), sef_trailer()], ids=["pixel-mp4", "samsung-sef"])
def test_a_motion_photo_is_kept_as_its_still_photo_without_the_video(video):
    still = images.jpeg_bytes()

    clean = photo_clean(images.upload(still + video))

    assert (clean.width, clean.height) == (640, 480)
    assert b"ftyp" not in clean.data and b"SEF" not in clean.data
    assert len(clean.data) < len(still) + 5_000


def test_a_motion_photo_after_an_appended_depth_map_is_kept():
    clean = photo_clean(images.upload(images.jpeg_bytes() + images.jpeg_bytes() + mp4()))
    assert clean.width == 640


def test_markup_in_the_videos_metadata_is_refused():
    data = images.jpeg_bytes() + mp4(moov=b"<html><script>x</script></html>")
    assert "web page or script" in refused(data)


def test_a_video_whose_boxes_do_not_reach_the_files_end_is_refused():
    assert "damaged" in refused(images.jpeg_bytes() + mp4()[:-10])
    assert "damaged" in refused(images.jpeg_bytes() + mp4() + b"more")


def test_other_data_after_the_image_is_still_refused():
    assert "other data after the image" in refused(images.jpeg_bytes() + b"\x01\x02 a tail")
    assert "other data after the image" in refused(images.jpeg_bytes() + b"SEFT")
