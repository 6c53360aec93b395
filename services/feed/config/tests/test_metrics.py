"""GET /metrics (shared.metrics) as the feed serves it: requests by route and status, database
time, throttled requests, and the readiness fields as gauges."""

import pytest
from django.test import Client
from django.urls import resolve
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db


def scrape(**headers: str) -> dict[tuple[str, tuple], float]:
    response = Client().get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_answer_whatever_host_the_scraper_uses():
    # Prometheus scrapes a pod by its address, which is in no ALLOWED_HOSTS.
    scrape(HTTP_HOST="10.1.2.3:8000")


def test_requests_are_counted_and_timed_by_route_and_status(client_for):
    client = client_for(7)
    route = resolve("/api/v1/posts/1").route
    before = scrape()
    assert client.get("/api/v1/posts/424242").status_code == 404
    after = scrape()
    labels = {"method": "GET", "route": route, "status": "404"}
    assert value(after, "http_requests_total", **labels) == (
        value(before, "http_requests_total", **labels) + 1
    )
    count = "http_request_duration_seconds_count"
    assert value(after, count, method="GET", route=route) == (
        value(before, count, method="GET", route=route) + 1
    )
    # The post was looked up: database time and statements were recorded for the route.
    assert value(after, "http_request_db_seconds_count", route=route) == (
        value(before, "http_request_db_seconds_count", route=route) + 1
    )
    assert value(after, "http_request_db_queries_total", route=route) > value(
        before, "http_request_db_queries_total", route=route
    )


def test_an_unknown_path_is_one_label_value_not_its_own_series(client_for):
    client = client_for(7)
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    samples = scrape()
    assert value(samples, "http_requests_total", method="GET", route="<unmatched>", status="404")
    assert not [key for key in samples if "/no/such" in str(key)]


def test_throttled_requests_are_counted_by_policy(client_for, settings):
    config = dict(settings.REST_FRAMEWORK)
    config["DEFAULT_THROTTLE_RATES"] = {**config["DEFAULT_THROTTLE_RATES"], "writes": "1/min"}
    settings.REST_FRAMEWORK = config
    client = client_for(8)
    before = value(scrape(), "http_requests_throttled_total", policy="writes")
    client.post("/api/v1/posts", {"title": "one"}, format="json")
    assert client.post("/api/v1/posts", {"title": "two"}, format="json").status_code == 429
    assert value(scrape(), "http_requests_throttled_total", policy="writes") == before + 1


def test_readiness_fields_are_gauges(settings):
    settings.READINESS_CHECKS = ["config.tests.test_metrics.sample_readiness"]
    samples = scrape()
    assert value(samples, "readiness_checks_up") == 1
    assert value(samples, "sample_backlog") == 3
    assert ("sample_note", ()) not in samples


def sample_readiness() -> dict:
    return {"sample_backlog": 3, "sample_note": "text is not a metric"}
