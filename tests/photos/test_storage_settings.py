"""Where photos are kept: a private directory by default, a private S3 bucket by setting."""

from __future__ import annotations

from pathlib import Path

from clinic.env import photos_storage


def test_by_default_photos_are_a_private_directory_without_urls(monkeypatch, tmp_path):
    monkeypatch.delenv("PHOTOS_S3_BUCKET", raising=False)
    config = photos_storage(tmp_path)
    assert config == {
        "BACKEND": "consultations.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": tmp_path},
    }
    from consultations.storage import PrivateFileSystemStorage

    storage = PrivateFileSystemStorage(location=tmp_path)
    name = storage.save("a.jpg", __import__("io").BytesIO(b"x"))
    assert (Path(storage.path(name)).stat().st_mode & 0o777) == 0o600
    try:
        storage.url(name)
    except NotImplementedError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a photo must have no URL")


def test_a_bucket_setting_switches_to_private_s3_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("PHOTOS_S3_BUCKET", "clinic-photos")
    monkeypatch.setenv("PHOTOS_S3_ENDPOINT_URL", "https://s3.example")
    config = photos_storage(tmp_path)
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "clinic-photos"
    assert options["endpoint_url"] == "https://s3.example"
    assert options["default_acl"] == "private"
    assert options["location"] == "photos"


def test_each_environment_may_keep_its_photos_under_its_own_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("PHOTOS_S3_BUCKET", "clinic-photos")
    monkeypatch.setenv("PHOTOS_S3_PREFIX", "/staging/photos/")
    assert photos_storage(tmp_path)["OPTIONS"]["location"] == "staging/photos"  # type: ignore[index]
