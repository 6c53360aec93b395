import pytest


@pytest.fixture
def media_root(settings, tmp_path):
    """Store uploaded files in a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
