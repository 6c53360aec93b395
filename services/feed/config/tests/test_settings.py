"""Settings read from the environment refuse values that would only fail later; the URL conf's
error handlers and the request-id settings are in force."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from shared import base_settings
from shared.env import non_negative_int


def test_a_non_negative_setting_takes_zero_and_its_default_and_refuses_a_negative(monkeypatch):
    assert non_negative_int("TIMELINE_INBOX_DAYS_UNSET_IN_TESTS", default=21) == 21
    monkeypatch.setenv("TIMELINE_INBOX_DAYS", "0")
    assert non_negative_int("TIMELINE_INBOX_DAYS", default=21) == 0
    monkeypatch.setenv("TIMELINE_INBOX_DAYS", "-3")
    with pytest.raises(ImproperlyConfigured, match="TIMELINE_INBOX_DAYS must be 0 or more"):
        non_negative_int("TIMELINE_INBOX_DAYS", default=21)


def test_an_unknown_path_is_a_json_404_that_echoes_the_request_id(client):
    response = client.get("/api/v1/no-such-endpoint", HTTP_X_REQUEST_ID="req-1")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert response["X-Request-ID"] == "req-1"


def test_the_settings_every_service_sets_alike_are_in_force(settings):
    shared_values = {k: v for k, v in vars(base_settings).items() if k.isupper()}
    assert shared_values
    assert {k: getattr(settings, k) for k in shared_values} == shared_values
