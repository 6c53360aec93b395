import pytest

from mastodon_api.entities import kept_statuses


@pytest.fixture
def media_root(settings, tmp_path):
    """Store uploaded files in a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _forget_kept_statuses():
    """Each test renders Statuses afresh: the kept ones outlive a test's rollback."""
    kept_statuses.clear()
    yield
    kept_statuses.clear()
