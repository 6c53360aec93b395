"""A real Mastodon client (Mastodon.py) drives the stack through the gateway's /mastodon prefix
(docs/mastodon.md): an app, the password grant, a status with an image, the home timeline paged
with fetch_next, a favourite, a follow, notifications, a delete, the token revoked."""

import io
import time
import uuid

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError, MastodonUnauthorizedError
from PIL import Image

from tests.conftest import sign_up

DEADLINE_SECONDS = 10
# Mastodon 4.3's documented attributes (entities/Account, Status, MediaAttachment, Notification).
ACCOUNT_KEYS = {
    "id", "username", "acct", "url", "display_name", "note", "avatar", "avatar_static",
    "header", "header_static", "locked", "fields", "emojis", "bot", "group", "discoverable",
    "created_at", "last_status_at", "statuses_count", "followers_count", "following_count",
}  # fmt: skip
STATUS_KEYS = {
    "id", "uri", "created_at", "account", "content", "visibility", "sensitive", "spoiler_text",
    "media_attachments", "application", "mentions", "tags", "emojis", "reblogs_count",
    "favourites_count", "replies_count", "url", "in_reply_to_id", "in_reply_to_account_id",
    "reblog", "poll", "card", "language", "text", "edited_at",
}  # fmt: skip
MEDIA_KEYS = {"id", "type", "url", "preview_url", "remote_url", "meta", "description", "blurhash"}
NOTIFICATION_KEYS = {"id", "type", "created_at", "account", "status"}


def png(size=(120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def client_for(stack, account) -> Mastodon:
    base = f"{stack.url}/mastodon"
    client_id, client_secret = Mastodon.create_app(
        f"e2e-{uuid.uuid4().hex[:6]}", scopes=["read", "write", "follow"], api_base_url=base
    )
    client = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    client.log_in(account.email, account.password, scopes=["read", "write", "follow"])
    return client


def until(predicate, what: str):
    started = time.monotonic()
    while time.monotonic() - started < DEADLINE_SECONDS:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {DEADLINE_SECONDS}s")


def test_instance_says_mastodon_4_3(stack):
    base = f"{stack.url}/mastodon"
    client = Mastodon(api_base_url=base, version_check_mode="none")
    assert client.instance()["version"] == "4.3.0 (compatible; social 1.0)"
    assert client.instance_v2()["configuration"]["statuses"]["max_media_attachments"] == 10


def test_a_mastodon_client_posts_reads_favourites_follows_and_revokes(api, stack):
    ann, bob = sign_up(api), sign_up(api)
    ann_app, bob_app = client_for(stack, ann), client_for(stack, bob)

    # The client read the instance's version when it signed in, and gates features on it.
    assert ann_app.verify_minimum_version("4.3.0", cached=True)
    me = ann_app.account_verify_credentials()
    assert set(me) >= ACCOUNT_KEYS
    assert me["id"] == str(ann.id)
    assert me["acct"] == ann.username

    # The token is a session of the native API too.
    sessions = api.get(
        "/api/v1/users/me/sessions", headers={"Authorization": f"Bearer {ann_app.access_token}"}
    )
    assert sessions.status_code == 200
    assert [s for s in sessions.json()["results"] if s["current"]]

    media = ann_app.media_post(png(), mime_type="image/png", description="an orange")
    assert set(media) >= MEDIA_KEYS
    assert media["meta"]["original"]["width"] == 120
    first = ann_app.status_post("first #sunset", media_ids=[media])
    assert set(first) >= STATUS_KEYS
    assert first["media_attachments"][0]["meta"]["original"]["size"] == "120x80"
    assert requests.get(first["media_attachments"][0]["url"], timeout=10).status_code == 200
    for n in range(3):
        ann_app.status_post(f"more {n}")

    # Bob follows Ann, reads his home timeline two at a time.
    relationship = bob_app.account_follow(ann.id)
    assert relationship["following"] is True
    page = bob_app.timeline_home(limit=2)
    assert [s["content"] for s in page] == ["<p>more 2</p>", "<p>more 1</p>"]
    page = bob_app.fetch_next(page)
    assert [s["id"] for s in page][1:] == [first["id"]]
    assert page[0]["content"] == "<p>more 0</p>"
    assert not bob_app.fetch_next(page)

    favourited = bob_app.status_favourite(first["id"])
    assert favourited["favourited"] is True
    assert favourited["favourites_count"] == 1
    reply = bob_app.status_post("lovely", in_reply_to_id=first["id"])
    assert reply["in_reply_to_id"] == first["id"]
    context = ann_app.status_context(first["id"])
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]

    # Ann hears of the follow, the favourite and the reply (a mention).
    def seen():
        kinds = {n["type"] for n in ann_app.notifications()}
        return kinds >= {"follow", "favourite", "mention"} and kinds

    until(seen, "the notifications")
    notes = ann_app.notifications()
    assert all(set(n) >= NOTIFICATION_KEYS for n in notes)
    favourite = next(n for n in notes if n["type"] == "favourite")
    assert favourite["account"]["id"] == str(bob.id)
    assert favourite["status"]["id"] == first["id"]

    deleted = ann_app.status_delete(first["id"])
    assert deleted["id"] == first["id"]
    with pytest.raises(MastodonAPIError):
        bob_app.status(first["id"])

    token = ann_app.access_token
    ann_app.revoke_access_token()

    def refused_everywhere():
        headers = {"Authorization": f"Bearer {token}"}
        paths = (
            "/mastodon/api/v1/accounts/verify_credentials",
            "/mastodon/api/v1/timelines/home",
            "/mastodon/api/v1/notifications",
            "/api/v1/users/me",
        )
        return all(api.get(path, headers=headers).status_code == 401 for path in paths)

    until(refused_everywhere, "refusing the revoked token everywhere")
    with pytest.raises(MastodonUnauthorizedError):
        ann_app.account_verify_credentials()
