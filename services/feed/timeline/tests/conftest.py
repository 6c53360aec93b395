"""Fixtures for the timeline's tests: every page is checked as the inbox serves it and merged."""

from collections.abc import Callable

import pytest

from timeline.services import fill_inboxes


@pytest.fixture(params=["inbox", "merge"])
def settle(request, settings) -> Callable[[], None]:
    """Run the test twice: with pages answered by the inboxes where they can be, and merged.

    Factories write posts and follows without the services that keep the inboxes, so a test
    calls `settle()` once its data is written: for "inbox" that fills the inboxes as those
    services would have; for "merge" the inboxes are off and every page is merged.
    """
    if request.param == "merge":
        settings.TIMELINE_INBOX_DAYS = 0
        return lambda: None
    return fill_inboxes
