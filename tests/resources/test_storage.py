"""Where resource files are stored: privately, locally or on S3, and the S3 backend really loads."""

from django.core.files.storage import storages
from django.utils.module_loading import import_string

from config.settings import private_storage
from resources.storage import PrivateFileSystemStorage


def test_local_private_storage_has_no_address(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    storage = storages["private"]
    assert isinstance(storage, PrivateFileSystemStorage)
    assert storage.location == str(tmp_path / "private")


def test_s3_private_storage_keeps_files_under_a_private_prefix():
    storage = private_storage("s3://KEY:SECRET@bucket?endpoint_url=https://s3.example&region=eu-north-1")
    assert storage["OPTIONS"]["location"] == "private"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["querystring_auth"] is True
    backend = import_string(storage["BACKEND"])(**storage["OPTIONS"])
    assert backend.bucket_name == "bucket"
    assert backend.location == "private"
