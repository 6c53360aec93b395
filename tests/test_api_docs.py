"""API docs through the gateway: every service's OpenAPI schema and a Swagger UI with local
assets."""

import re


def test_every_schema_is_served_as_openapi_3(api):
    for service in ("users", "feed", "notifications"):
        response = api.get(f"/api/schema/{service}", headers={"Accept": "application/json"})
        assert response.status_code == 200, response.text
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        # The native API and the Mastodon-compatible one (docs/mastodon.md).
        assert all(path.startswith(("/api/", "/mastodon/")) for path in schema["paths"])


def test_swagger_ui_offers_every_schema_and_loads_its_assets_locally(api):
    page = api.get("/api/docs/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "/api/schema/users" in page.text
    assert "/api/schema/feed" in page.text
    assert "/api/schema/notifications" in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    for asset in assets:
        # Never a CDN: every asset is a path on the gateway itself, and it is served.
        assert asset.startswith("/"), asset
        assert api.get(asset).status_code == 200, asset


def test_swagger_ui_refuses_other_methods_as_json(api):
    response = api.post("/api/docs/")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


def test_swagger_ui_never_asks_an_outside_validator_and_keeps_to_its_own_origin(api):
    page = api.get("/api/docs/")
    assert "validatorUrl: null" in page.text
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    # The local assets and the page's own inline script (by its hash), nothing else.
    sources = policy["script-src"].split()
    assert sources[0] == "'self'"
    assert [s for s in sources[1:] if not s.startswith("'sha256-")] == []
