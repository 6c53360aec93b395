"""The notifications service through the gateway: its routes, its tokens, its logs."""

import time

PATHS = [
    ("get", "/api/v1/notifications"),
    ("get", "/api/v1/notifications/unread_count"),
    ("post", "/api/v1/notifications/read"),
    ("get", "/api/v1/notifications/settings"),
    ("patch", "/api/v1/notifications/settings"),
]


def test_every_notifications_endpoint_is_routed_and_needs_a_token(api):
    for method, path in PATHS:
        for url in (path, path + "/"):
            response = getattr(api, method)(url)
            assert response.status_code == 401, (method, url, response.text)
            assert set(response.json()) == {"detail"}


def test_a_new_account_has_no_notifications_and_every_setting_on(api, account):
    listed = api.get("/api/v1/notifications", headers=account.auth)
    assert listed.status_code == 200
    assert listed.json() == {"next": None, "previous": None, "results": []}
    grouped = api.get("/api/v1/notifications?grouped=true", headers=account.auth)
    assert grouped.json()["results"] == []
    count = api.get("/api/v1/notifications/unread_count", headers=account.auth)
    assert count.json() == {"count": 0}
    assert api.post("/api/v1/notifications/read", headers=account.auth).status_code == 204
    settings = api.patch(
        "/api/v1/notifications/settings", json={"mention": False}, headers=account.auth
    )
    assert settings.status_code == 200
    assert settings.json()["mention"] is False
    assert settings.json()["like"] is True


def test_notifications_logs_carry_the_gateways_request_id(stack, api, account):
    request_id = "e2e-notifications-trace-0001"
    api.get("/api/v1/notifications", headers={**account.auth, "X-Request-ID": request_id})
    log_file = stack.work_dir / "var" / "log" / "stack.log"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [
            line
            for line in log_file.read_text().splitlines()
            if request_id in line and '"service": "notifications"' in line
        ]
        if lines:
            return
        time.sleep(0.2)
    raise AssertionError("the notifications service did not log the gateway's request id")
