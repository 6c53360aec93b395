"""Reports and moderation end to end through the gateway: a user reports a post, a staff user
(a superuser made with `stack.py manage users createsuperuser`) removes it; staff sign in to
the feed's admin with their users-service password."""

import uuid

import pytest
import requests

from tests.conftest import Account, sign_up


@pytest.fixture
def staff(stack, api) -> Account:
    suffix = uuid.uuid4().hex[:10]
    email, password = f"mod{suffix}@example.com", "a sturdy passphrase 42"
    made = stack.stack_command(
        "manage",
        "users",
        "createsuperuser",
        "--noinput",
        env={
            "DJANGO_SUPERUSER_EMAIL": email,
            "DJANGO_SUPERUSER_USERNAME": f"mod_{suffix}",
            "DJANGO_SUPERUSER_PASSWORD": password,
        },
    )
    assert made.returncode == 0, made.stderr
    tokens = api.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert tokens.status_code == 200, tokens.text
    me = api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {tokens.json()['access']}"})
    return Account(
        id=me.json()["id"],
        email=email,
        username=me.json()["username"],
        password=password,
        access=tokens.json()["access"],
        refresh=tokens.json()["refresh"],
    )


def test_a_reported_post_removed_by_a_moderator_is_gone(api, staff):
    author, reporter, other = sign_up(api), sign_up(api), sign_up(api)
    created = api.post("/api/v1/posts", json={"title": "buy followers"}, headers=author.auth)
    post_id = created.json()["id"]

    report = {"target_type": "post", "target_id": post_id, "reason": "spam", "note": "a scam"}
    first = api.post("/api/v1/reports", json=report, headers=reporter.auth)
    again = api.post("/api/v1/reports/", json=report, headers=reporter.auth)
    second = api.post("/api/v1/reports", json=report, headers=other.auth)
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (200, first.json())
    assert second.status_code == 201

    assert api.get("/api/v1/moderation/reports", headers=reporter.auth).status_code == 403
    assert api.get("/api/v1/moderation/reports").status_code == 401
    queue = api.get("/api/v1/moderation/reports?page_size=100", headers=staff.auth)
    assert queue.status_code == 200, queue.text
    row = next(item for item in queue.json()["results"] if item["id"] == first.json()["id"])
    assert row["reporter"] == {"id": reporter.id, "username": reporter.username, "avatar_url": None}
    assert row["report_count"] == 2

    resolved = api.post(
        f"/api/v1/moderation/reports/{first.json()['id']}/resolve",
        json={"action": "remove"},
        headers=staff.auth,
    )

    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert api.get(f"/api/v1/posts/{post_id}").status_code == 404
    stats = api.get(f"/api/v1/users/{author.id}/stats").json()
    assert stats["posts_count"] == 0
    done = api.get("/api/v1/moderation/reports?status=resolved&page_size=100", headers=staff.auth)
    ids = {item["id"] for item in done.json()["results"]}
    assert {first.json()["id"], second.json()["id"]} <= ids


def test_reporting_what_does_not_exist_is_a_404_and_bad_input_a_400(api):
    reporter = sign_up(api)
    missing = {"target_type": "post", "target_id": 987654321, "reason": "spam"}
    assert api.post("/api/v1/reports", json=missing, headers=reporter.auth).status_code == 404
    bad = {"target_type": "post", "target_id": 1, "reason": "boring"}
    response = api.post("/api/v1/reports", json=bad, headers=reporter.auth)
    assert response.status_code == 400
    assert "reason" in response.json()


def admin_sign_in(stack, email: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Sign in to the feed's admin through the gateway as a browser does (CSRF cookie, form)."""
    browser = requests.Session()
    form = browser.get(f"{stack.url}/admin/feed/login/", timeout=30)
    assert form.status_code == 200, form.text
    response = browser.post(
        f"{stack.url}/admin/feed/login/",
        data={
            "csrfmiddlewaretoken": browser.cookies["feed_admin_csrftoken"],
            "username": email,
            "password": password,
            "next": "/admin/feed/",
        },
        allow_redirects=False,
        timeout=30,
    )
    return browser, response


def test_staff_sign_in_to_the_feeds_admin_with_their_users_service_password(stack, api, staff):
    author = sign_up(api)
    post_id = api.post("/api/v1/posts", json={"title": "in the admin"}, headers=author.auth).json()[
        "id"
    ]

    browser, response = admin_sign_in(stack, staff.email, staff.password)

    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/admin/feed/"
    page = browser.get(f"{stack.url}/admin/feed/posts/post/{post_id}/change/", timeout=30)
    assert page.status_code == 200
    assert "in the admin" in page.text
    sessions = api.get("/api/v1/users/me/sessions", headers=staff.auth).json()["results"]
    assert any(session["user_agent"].startswith("feed-admin") for session in sessions)

    # The users service's admin is a separate sign-in: the feed's cookies do not open it.
    assert browser.get(f"{stack.url}/admin/", allow_redirects=False, timeout=30).status_code == 302


def test_a_user_who_is_not_staff_cannot_sign_in_to_the_feeds_admin(stack, api):
    user = sign_up(api)

    browser, response = admin_sign_in(stack, user.email, user.password)

    assert response.status_code == 200
    assert "correct email and password for a staff account" in response.text
    assert (
        browser.get(f"{stack.url}/admin/feed/", allow_redirects=False, timeout=30).status_code
        == 302
    )
