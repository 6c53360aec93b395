"""Metrics on each service's own port, never through the gateway; one log time format everywhere."""

import json
import re
import time

import requests

UTC_ISO_8601_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_each_service_serves_prometheus_metrics_on_its_own_port(stack, api):
    api.get("/api/v1/posts/424242")
    for url in (stack.users_url, stack.feed_url, stack.notifications_url):
        # Any Host: Prometheus scrapes a pod by its address.
        response = requests.get(f"{url}/metrics", headers={"Host": "10.0.0.7:8000"}, timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        assert "http_requests_total{" in response.text
        assert "http_request_duration_seconds_bucket{" in response.text
    feed = requests.get(f"{stack.feed_url}/metrics", timeout=10).text
    # Every gunicorn worker's samples are summed: the request above is there, by route.
    assert re.search(
        r'http_requests_total\{method="GET",route="api/v1/posts/<[a-z]+:post_id>",status="404"\} '
        r"[1-9]",
        feed,
    )
    users = requests.get(f"{stack.users_url}/metrics", timeout=10).text
    # The outbox backlog, from the users service's readiness fields.
    assert re.search(r"^outbox_pending [0-9.]+$", users, re.M)


def test_the_gateway_never_routes_metrics(api):
    for path in ("/metrics", "/metrics/", "/api/v1/metrics"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def logged_times(log_file, request_id: str) -> dict[str, str]:
    times = {}
    for line in log_file.read_text().splitlines():
        if request_id in line and "| {" in line:
            record = json.loads(line.split("| ", 1)[1])
            times[record["service"]] = record["time"]
    return times


def test_gateway_and_service_log_lines_share_one_utc_time_format(stack, api):
    request_id = "e2e-log-time-0003"
    api.get("/api/v1/posts/434343", headers={"X-Request-ID": request_id})
    log_file = stack.work_dir / "var" / "log" / "stack.log"
    # nginx writes its access line after the response, and honcho relays it a moment later.
    deadline = time.monotonic() + 10
    while set(times := logged_times(log_file, request_id)) < {"gateway", "feed"}:
        assert time.monotonic() < deadline, times
        time.sleep(0.1)
    for service, moment in times.items():
        assert UTC_ISO_8601_MS.match(moment), (service, moment)
