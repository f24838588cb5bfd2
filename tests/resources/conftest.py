from pathlib import Path

import pytest


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Uploads go to a fresh folder; returns the private part where resource files land."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "private"


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture(autouse=True)
def _fresh_removal_request_limit():
    """The test client posts from 127.0.0.1: start each test with that address's count at zero."""
    from django.core.cache import cache

    cache.delete("resources:removal-requests:127.0.0.1")
