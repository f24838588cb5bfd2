"""Where uploaded materials live: storage that has no public address.

Locally the files sit under MEDIA_ROOT/private/; on S3-compatible storage under the private
prefix "private/" of the bucket. Either way they are read only by the download views,
which check permission on every request.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private/ that have no URL: asking for one is a programming error."""

    @cached_property
    def base_location(self) -> str:
        # Follows MEDIA_ROOT (tests move it); FileSystemStorage clears this when MEDIA_ROOT changes.
        return self._value_or_setting(self._location, os.path.join(settings.MEDIA_ROOT, "private"))

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Private files have no public URL; link to the resource's download view instead.")


def private_storage():
    """The storage of resource files (STORAGES["private"])."""
    return storages["private"]
