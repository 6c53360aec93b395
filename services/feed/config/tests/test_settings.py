"""Settings read from the environment refuse values that would only fail later."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from shared.env import non_negative_int


def test_a_non_negative_setting_takes_zero_and_its_default_and_refuses_a_negative(monkeypatch):
    assert non_negative_int("TIMELINE_INBOX_DAYS_UNSET_IN_TESTS", default=21) == 21
    monkeypatch.setenv("TIMELINE_INBOX_DAYS", "0")
    assert non_negative_int("TIMELINE_INBOX_DAYS", default=21) == 0
    monkeypatch.setenv("TIMELINE_INBOX_DAYS", "-3")
    with pytest.raises(ImproperlyConfigured, match="TIMELINE_INBOX_DAYS must be 0 or more"):
        non_negative_int("TIMELINE_INBOX_DAYS", default=21)
