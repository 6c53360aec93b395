"""Rate limits as the feed runs them: shared.throttling's policies and their IETF header fields."""

import io
import math
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from rest_framework.settings import api_settings

from config.tests.ratelimit_fields import parse
from shared.testing import run_concurrently
from shared.throttling import counters
from shared.throttling.models import RateLimitCounter
from shared.throttling.rates import Rate, parse_rate, throttle_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Set throttle rates for one test: `rates(writes="2/min")`."""

    def apply(**overrides: str | None) -> None:
        config = dict(settings.REST_FRAMEWORK)
        config["DEFAULT_THROTTLE_RATES"] = {**config["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = config

    return apply


def write(client, title: str = "hello"):
    return client.post("/api/v1/posts", {"title": title}, format="json")


# --- headers on successful responses ---------------------------------------------------------


def test_writes_announce_their_policy_and_count_down_what_is_left(client_for):
    client = client_for(7)
    rate = parse_rate(api_settings.DEFAULT_THROTTLE_RATES["writes"])
    limit, window = rate.limit, rate.window
    first, second = write(client), write(client)

    assert first.status_code == second.status_code == 201
    assert parse(first.headers["RateLimit-Policy"]) == {"writes": {"q": limit, "w": window}}
    assert parse(first.headers["RateLimit"])["writes"]["r"] == limit - 1
    assert parse(second.headers["RateLimit"])["writes"]["r"] == limit - 2
    assert 1 <= parse(first.headers["RateLimit"])["writes"]["t"] <= window


def test_reads_are_not_counted_against_writes(client_for):
    client = client_for(7)
    post_id = write(client).json()["id"]
    read = client.get(f"/api/v1/posts/{post_id}")
    assert read.status_code == 200
    assert "RateLimit" not in read.headers
    assert "RateLimit-Policy" not in read.headers


def test_a_disabled_policy_neither_limits_nor_announces(client_for, rates):
    rates(writes=None)
    response = write(client_for(7))
    assert response.status_code == 201
    assert "RateLimit" not in response.headers
    assert not RateLimitCounter.objects.exists()


# --- 429 --------------------------------------------------------------------------------------


def test_over_the_limit_is_a_json_429_with_retry_after(client_for, rates):
    rates(writes="2/min")
    client = client_for(7)
    assert write(client).status_code == 201
    assert write(client).status_code == 201
    limited = write(client)

    assert limited.status_code == 429
    assert limited.headers["Content-Type"] == "application/json"
    assert set(limited.json()) == {"detail"}
    retry_after = int(limited.headers["Retry-After"])
    state = parse(limited.headers["RateLimit"])["writes"]
    assert state["r"] == 0
    assert 1 <= retry_after <= 60
    # Retry-After points at the end of the effective window, never before it (draft, §6).
    assert retry_after == state["t"]
    assert parse(limited.headers["RateLimit-Policy"]) == {"writes": {"q": 2, "w": 60}}


def test_each_user_has_a_quota_of_their_own(client_for, rates):
    rates(writes="1/min")
    assert write(client_for(7)).status_code == 201
    assert write(client_for(7)).status_code == 429
    assert write(client_for(8)).status_code == 201


@pytest.mark.urls("config.tests.probes")
def test_anonymous_callers_are_counted_by_the_address_the_gateway_saw(client, rates):
    rates(probe="1/min")
    path = "/api/v1/_probe/throttled"
    # nginx appends the address it saw to X-Forwarded-For; whatever the client put before it
    # (here a different "address" each time) must not buy a fresh quota.
    first = client.get(path, HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.3")
    spoofed = client.get(path, HTTP_X_FORWARDED_FOR="2.2.2.2, 10.0.0.3")
    other_client = client.get(path, HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.4")

    assert first.status_code == 200
    assert parse(first.headers["RateLimit"])["probe"]["r"] == 0
    assert spoofed.status_code == 429
    assert other_client.status_code == 200


@pytest.mark.urls("config.tests.probes")
def test_a_429_without_a_wait_still_carries_a_retry_after_of_at_least_one_second(client):
    response = client.get("/api/v1/_probe/bare-429")
    assert response.status_code == 429
    assert response.json() == {"detail": "Request was throttled."}
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.urls("config.tests.probes")
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_counted_exactly_once_each(client_for, rates):
    # Every worker and replica shares one counter in Postgres, updated by one atomic statement:
    # 12 simultaneous writes against a limit of 5 let exactly 5 through.
    rates(writes="5/min")
    threads_count = 12
    clients = [client_for(7) for _ in range(threads_count)]

    responses = run_concurrently(
        threads_count,
        lambda i: clients[i].put("/api/v1/_probe/resource", {}, format="json"),
    )

    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == [200] * 5 + [429] * 7


# --- the counter ------------------------------------------------------------------------------


def test_a_new_window_starts_from_zero():
    # Start mid-window: windows are staggered per caller, so time.time() + 1 could already
    # fall into the next one.
    now = counters.window_end("writes:user:1", 60, time.time()) - 50
    first = counters.hit("writes:user:1", 60, now=now)
    second = counters.hit("writes:user:1", 60, now=now + 1)
    next_window = counters.hit("writes:user:1", 60, now=first.window_end)

    assert (first.count, second.count, next_window.count) == (1, 2, 1)
    assert second.window_end == first.window_end
    assert next_window.window_end == first.window_end + 60
    assert now < first.window_end <= now + 60


def test_a_request_that_raced_across_the_window_boundary_does_not_move_the_window_back():
    now = time.time()
    end = counters.window_end("writes:user:1", 60, now)
    later = counters.hit("writes:user:1", 60, now=end + 1)
    late = counters.hit("writes:user:1", 60, now=end - 1)
    assert later.window_end == late.window_end == end + 60
    assert late.count == 2


def test_callers_windows_are_staggered():
    now = 1_800_000_000.0
    ends = {counters.window_end(f"writes:user:{i}", 60, now) for i in range(50)}
    assert len(ends) > 10
    assert all(now < end <= now + 60 for end in ends)


def test_the_purge_command_removes_ended_windows_only():
    now = time.time()
    counters.hit("writes:user:1", 60, now=now - 3600)
    counters.hit("writes:user:2", 60, now=now)
    out = io.StringIO()
    call_command("purge_rate_limit_counters", stdout=out)
    assert "deleted 1 " in out.getvalue()
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["writes:user:2"]


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100/min", Rate(100, 60)),
        ("5/s", Rate(5, 1)),
        ("20/10s", Rate(20, 10)),
        ("1000/2hour", Rate(1000, 7200)),
        ("3/day", Rate(3, 86400)),
    ],
)
def test_rates_are_read_in_drf_form_with_an_optional_multiplier(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "100", "0/min", "10/0s", "ten/min", "10/fortnight"])
def test_a_malformed_rate_is_refused(rate):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(rate)


def test_every_rate_can_be_overridden_or_switched_off_from_the_environment(monkeypatch):
    monkeypatch.setenv("THROTTLE_RATE_WRITES", "3/10s")
    monkeypatch.setenv("THROTTLE_RATE_TOKEN_REFRESH", "off")
    resolved = throttle_rates({"writes": "600/min", "token_refresh": "30/min", "probe": "1/s"})
    assert resolved == {"writes": "3/10s", "token_refresh": None, "probe": "1/s"}

    monkeypatch.setenv("THROTTLE_RATE_PROBE", "lots")
    with pytest.raises(ImproperlyConfigured):
        throttle_rates({"probe": "1/s"})


def test_the_default_writes_rate_is_a_public_deployments_and_local_loosens_it_for_a_benchmark():
    from config.settings import base, local

    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["writes"] == "300/min"
    rate = parse_rate(local.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["writes"])
    assert math.floor(rate.limit / rate.window) >= 50
