"""Polyglots are refused wherever they hide, and real photos are not: markup is looked for
outside the compressed image data, and a file whose structure cannot be walked is refused."""

from __future__ import annotations

import pytest

from consultations.photo_checks import ACTIVE_CONTENT
from consultations.services.photo_files import PhotoRefused, photo_clean
from tests.photos import images

DAMAGED = (
    "This photo's file is damaged or not laid out as a photo should be, so we cannot accept "
    "it. Take the photo again, or choose another one."
)
# Noise photos whose compressed data holds one of the markers by chance (found by trying
# seeds with Pillow 13); the others are as random, without the coincidence.
PNG_SEEDS_WITH_MARKUP = (2437, 5460)


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(PhotoRefused) as caught:
        photo_clean(images.upload(data, **kwargs))
    return caught.value.message


def holds_markup(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in ACTIVE_CONTENT)


@pytest.mark.parametrize(
    "tail",
    [
        b"",  # the stray byte alone: a damaged file
        b"<img src=x onerror=alert(document.cookie)>",  # markup the marker list does not know
        images.zip_bytes(),
        b"%PDF-1.7 a document after the photo",
    ],
)
def test_a_jpeg_whose_segments_cannot_be_walked_is_refused(tail):
    data = images.jpeg_with_stray_byte(tail)
    assert images.decoded(data).format == "JPEG"  # decoders skip the stray byte

    assert refused(data) == DAMAGED


def test_a_png_cut_short_before_its_end_chunk_is_refused():
    data = images.png_bytes()
    cut = data[: data.rindex(b"IEND") - 4]
    assert refused(cut, name="p.png", content_type="image/png") in (
        DAMAGED,
        "This file is not a photo we can open. Choose a JPEG, PNG or WebP photo.",
    )


def test_pixels_that_spell_markup_are_not_refused():
    # "<SVG" as four grey pixels, stored as they are in the PNG's image data.
    pixels = (b"<SVG" + bytes(range(60, 256))) * 400
    data = images.png_stored(256, 256, pixels[: 256 * 256])
    assert holds_markup(data)

    clean = photo_clean(images.upload(data, "p.png", "image/png"))

    assert (clean.width, clean.height) == (256, 256)


def test_markup_in_a_png_text_chunk_or_after_its_end_is_refused():
    pixels = bytes(range(256)) * 256
    in_text = images.png_stored(256, 256, pixels, text=b"<svg onload=alert(1)>")
    after_end = images.png_stored(256, 256, pixels) + b"<html><script>x</script></html>"
    for data in (in_text, after_end):
        message = refused(data, name="p.png", content_type="image/png")
        assert "contains more than a photo (web page or script)" in message


def test_two_hundred_noise_photos_are_all_accepted():
    """Compressed image data is as random as noise: two of 5,460 noise PNGs held a marker by
    chance (a phone's 3 MB photo: about one in 170). Every one of these is kept."""
    photos = [images.noise(seed, "PNG") for seed in PNG_SEEDS_WITH_MARKUP]
    photos += [images.noise(seed, "PNG") for seed in range(48)]
    photos += [images.noise(seed, "JPEG") for seed in range(150)]
    assert len(photos) == 200
    assert holds_markup(photos[0]) and holds_markup(photos[1])

    refusals = []
    for data in photos:
        try:
            photo_clean(images.upload(data, content_type="application/octet-stream"))
        except PhotoRefused as refusal:
            refusals.append(refusal.message)

    assert refusals == []


def test_markup_in_a_jpeg_comment_is_still_refused():
    data = images.jpeg_bytes(comment=b"x" * 100 + b"<SvG onload=alert(1)>")
    assert "web page or script" in refused(data)


def test_markup_after_an_appended_jpeg_is_refused():
    # A further image is allowed (phones' depth maps); what follows it is not.
    data = images.jpeg_bytes() + images.jpeg_bytes() + b"<html>hello</html>"
    assert "web page or script" in refused(data)
    data = images.jpeg_bytes() + images.jpeg_bytes() + b"\x01\x02 not an image"
    assert "other data after the image" in refused(data)


def test_a_webp_with_markup_in_its_metadata_or_after_it_is_refused():
    data = images.webp_bytes()
    assert refused(data + b"<script>x</script>", name="p.webp", content_type="image/webp")
    chunk = b"XMP " + len(b"<svg/>").to_bytes(4, "little") + b"<svg/>"
    riff = data[:4] + (len(data) - 8 + len(chunk)).to_bytes(4, "little") + data[8:] + chunk
    assert "web page or script" in refused(riff, name="p.webp", content_type="image/webp")


@pytest.mark.parametrize("kind", [b"PLTE", b"ZHTM", b"tEXt", b"zzZz"])
def test_markup_in_any_png_chunk_but_the_image_data_is_refused(kind):
    """Critical chunks (the palette, an unknown one with an upper-case name) are scanned too."""
    pixels = bytes(range(256)) * 256
    data = images.png_stored(256, 256, pixels)
    chunk = images.png_chunk(kind, b"<html><script>alert(1)</script></html>".ljust(48))
    crafted = data[:33] + chunk + data[33:]  # after IHDR

    assert "web page or script" in refused(crafted, name="p.png", content_type="image/png")


@pytest.mark.parametrize(
    "markup",
    [
        b"<img src=x onerror=alert(1)>",
        b"<OBJECT data=x>",
        b"<embed src=x>",
        b"<meta http-equiv=refresh content='0;url=//evil'>",
        b"<a href=//evil>click</a>",
        b"<style>*{}</style>",
        b"<math><mtext>",
        b"<iframe src=x>",
        b"<!DOCTYPE html>",
        b"<?xml version='1.0'?><x/>",
    ],
)
def test_each_kind_of_markup_in_metadata_is_refused(markup):
    pixels = bytes(range(256)) * 256
    data = images.png_stored(256, 256, pixels, text=markup)

    assert "web page or script" in refused(data, name="p.png", content_type="image/png")


def test_words_in_metadata_that_only_look_like_markup_are_kept():
    data = images.jpeg_bytes(comment=b"a <a> b, <a  , <image> and <abbr are fine")
    assert photo_clean(images.upload(data)).width == 640


def test_the_end_record_of_a_zip_in_metadata_is_refused():
    pixels = bytes(range(256)) * 256
    data = images.png_stored(256, 256, pixels, text=b"notes PK\x05\x06" + b"\x00" * 18)

    assert "(archive)" in refused(data, name="p.png", content_type="image/png")
