"""Uploads are decoded, checked and re-encoded: what is kept is pixels only."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from consultations.services.photo_files import (
    PhotoRefused,
    display_bytes,
    photo_clean,
    thumbnail_bytes,
)
from tests.photos import images


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(PhotoRefused) as caught:
        photo_clean(images.upload(data, **kwargs))
    return caught.value.message


def test_a_jpeg_with_gps_comes_back_without_any_exif():
    original = images.decoded(images.jpeg_bytes(gps=True))
    assert original.getexif().get_ifd(images.GPS_IFD)  # the test photo does carry GPS

    clean = images.decoded(photo_clean(images.upload(images.jpeg_bytes(gps=True))).data)

    assert clean.format == "JPEG"
    assert not clean.getexif()
    assert not clean.getexif().get_ifd(images.GPS_IFD)
    assert "exif" not in clean.info
    assert "icc_profile" not in clean.info
    assert "comment" not in clean.info


def test_the_phone_orientation_is_applied():
    # Orientation 6: the camera was turned; the pixels are stored sideways.
    clean = photo_clean(images.upload(images.jpeg_bytes(orientation=6)))
    assert (clean.width, clean.height) == (480, 640)
    image = images.decoded(clean.data)
    # The dark block was at the top left of the stored pixels: turned, it is at the top right.
    assert sum(image.getpixel((clean.width - 10, 10))) < 150
    assert sum(image.getpixel((10, 10))) > 300


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (images.png_bytes(), "photo.png", "image/png"),
        (images.webp_bytes(), "photo.webp", "image/webp"),
        (images.jpeg_bytes(), "photo.jpg", "application/octet-stream"),
    ],
)
def test_png_webp_and_undeclared_jpegs_become_jpegs(data, name, content_type):
    clean = photo_clean(images.upload(data, name=name, content_type=content_type))
    assert images.decoded(clean.data).format == "JPEG"
    assert (clean.width, clean.height) == (640, 480)
    assert len(clean.sha256) == 64


def test_transparency_is_laid_on_white():
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    clean = photo_clean(images.upload(images.png_bytes(image), "p.png", "image/png"))
    assert images.decoded(clean.data).getpixel((200, 150)) >= (250, 250, 250)


def test_a_file_that_is_not_an_image_is_refused():
    message = refused(b"%PDF-1.7 this is a document, not a photo", name="scan.jpg")
    assert message == "This file is not a photo we can open. Choose a JPEG, PNG or WebP photo."


def test_a_truncated_jpeg_is_refused():
    # Its structure is walked before Pillow opens it: it is cut short, so damaged.
    assert "damaged" in refused(images.jpeg_bytes()[:300])


def test_an_empty_file_is_refused():
    assert "empty" in refused(b"")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (images.jpeg_with_zip(), "archive"),
        (images.jpeg_with_html(), "web page or script"),
        (images.jpeg_with_trailing_data(), "other data after the image"),
    ],
)
def test_polyglots_are_refused(data, what):
    assert images.decoded(data).format == "JPEG"  # each still opens as a photo
    message = refused(data)
    assert f"contains more than a photo ({what})" in message


def test_a_script_in_a_jpeg_comment_is_refused():
    data = images.jpeg_bytes(comment=b"<script>alert(1)</script>")
    assert "web page or script" in refused(data)


def test_a_jpeg_followed_by_another_jpeg_is_kept():
    # Phones append depth and gain maps as further JPEG images (Multi-Picture Format).
    clean = photo_clean(images.upload(images.jpeg_bytes() + images.jpeg_bytes()))
    assert clean.width == 640


def test_a_declared_type_that_disagrees_with_the_content_is_refused():
    message = refused(images.png_bytes(), name="photo.jpg", content_type="image/jpeg")
    assert message.startswith("This file says it is image/jpeg, but it is a PNG image.")


def test_formats_other_than_jpeg_png_and_webp_are_refused():
    import io

    buffer = io.BytesIO()
    images.picture().save(buffer, "GIF")
    message = refused(buffer.getvalue(), name="a.gif", content_type="image/gif")
    assert message.startswith("We accept JPEG, PNG and WebP photos; this file is a GIF image.")


def test_heic_is_refused_with_advice():
    message = refused(images.heic_bytes(), name="IMG_0001.HEIC", content_type="image/heic")
    assert "HEIC" in message
    assert "Settings > Camera > Formats > Most Compatible" in message


def test_an_oversized_file_is_refused_before_it_is_decoded(settings):
    settings.PHOTO_MAX_BYTES = 20_000
    data = images.jpeg_bytes(images.picture(1600, 1200), quality=95)
    assert len(data) > 20_000
    assert refused(data).startswith("This photo is too large (")


def test_a_decompression_bomb_is_refused():
    data = images.png_bomb()
    assert len(data) < 200_000  # small on the wire, 144 million pixels decoded
    message = refused(data, name="bomb.png", content_type="image/png")
    assert message.startswith("This photo has too many pixels for us to open")


def test_pixels_over_the_limit_are_refused_before_decoding(settings):
    settings.PHOTO_MAX_PIXELS = 200_000
    assert "too many pixels" in refused(images.jpeg_bytes())  # 640 x 480 = 307,200


def test_a_tiny_image_is_refused():
    assert "too small" in refused(images.jpeg_bytes(images.picture(100, 80)))


def test_thumbnails_are_small_jpegs():
    clean = photo_clean(images.upload(images.jpeg_bytes(images.picture(1200, 900))))
    thumb = images.decoded(thumbnail_bytes(clean.data))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == 320


@pytest.mark.parametrize(
    ("size", "shown_size"),
    [
        ((3000, 2000), (1600, 1067)),
        # A 12 MP phone photo, either way up: decoded at half scale (draft mode), then resized.
        ((4032, 3024), (1600, 1200)),
        ((3024, 4032), (1200, 1600)),
    ],
)
def test_the_display_copy_is_1600_pixels_on_its_long_side_without_metadata(
    settings, size, shown_size
):
    settings.PHOTO_MAX_PIXELS = 30_000_000
    clean = photo_clean(images.upload(images.jpeg_bytes(images.picture(*size))))
    shown = images.decoded(display_bytes(clean.data))
    assert shown.format == "JPEG"
    assert shown.size == shown_size
    assert shown.mode == "RGB"
    assert not shown.getexif()
    assert "icc_profile" not in shown.info and "comment" not in shown.info
    # The dark block is still at the top left: the same picture, only smaller.
    assert sum(shown.getpixel((10, 10))) < 150
    assert sum(shown.getpixel((shown.width - 10, shown.height - 10))) > 300


def test_a_photo_no_larger_than_the_display_size_keeps_its_size():
    for size in ((1200, 900), (1600, 1200)):
        small = photo_clean(images.upload(images.jpeg_bytes(images.picture(*size))))
        assert images.decoded(display_bytes(small.data)).size == size


def test_a_jpeg_with_a_multi_picture_index_from_a_recent_phone_is_kept():
    # Depth and gain maps ride along as an MPO; Pillow names the format MPO. It is a JPEG.
    first, second = images.picture(), images.picture(colour=(20, 20, 20))
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    clean = photo_clean(images.upload(buffer.getvalue()))
    kept = images.decoded(clean.data)
    assert kept.format == "JPEG" and (clean.width, clean.height) == (640, 480)
    assert sum(kept.getpixel((320, 240))) > 300  # the first picture, not the depth map
