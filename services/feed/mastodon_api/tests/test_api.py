"""The feed's part of the Mastodon-compatible API, against the native rows it maps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from authors.models import Author
from mastodon_api.models import PendingMedia
from mastodon_api.services import prune_pending_media
from posts.models import Comment, Like, Post, PostImage
from posts.tests.factories import AuthorFactory
from posts.tests.images import encode, upload
from relationships.models import Block, Follow

pytestmark = pytest.mark.django_db

M = "/mastodon/api"
# Mastodon 4.3's documented attributes of each entity (docs: entities/Account, Status,
# MediaAttachment, Relationship).
ACCOUNT_KEYS = {
    "id", "username", "acct", "url", "display_name", "note", "avatar", "avatar_static",
    "header", "header_static", "locked", "fields", "emojis", "bot", "group", "discoverable",
    "created_at", "last_status_at", "statuses_count", "followers_count", "following_count",
}  # fmt: skip
STATUS_KEYS = {
    "id", "uri", "created_at", "account", "content", "visibility", "sensitive", "spoiler_text",
    "media_attachments", "application", "mentions", "tags", "emojis", "reblogs_count",
    "favourites_count", "replies_count", "url", "in_reply_to_id", "in_reply_to_account_id",
    "reblog", "poll", "card", "language", "text", "edited_at", "favourited", "reblogged",
    "muted", "bookmarked", "pinned", "filtered",
}  # fmt: skip
MEDIA_KEYS = {"id", "type", "url", "preview_url", "remote_url", "meta", "description", "blurhash"}
RELATIONSHIP_KEYS = {
    "id", "following", "showing_reblogs", "notifying", "followed_by", "blocking", "blocked_by",
    "muting", "muting_notifications", "requested", "requested_by", "domain_blocking",
    "endorsed", "note",
}  # fmt: skip


@pytest.fixture
def ann(client_for):
    AuthorFactory(id=1, username="ann", name="Ann Bell")
    return client_for(1, "ann")


@pytest.fixture
def bob(client_for):
    AuthorFactory(id=2, username="bob")
    return client_for(2, "bob")


def test_a_status_is_a_post_with_linked_content(ann, bob):
    response = ann.post(f"{M}/v1/statuses", {"status": "hi #Sun <b> @bob"}, format="json")
    assert response.status_code == 200, response.json()
    status = response.json()
    assert set(status) >= STATUS_KEYS
    assert status["id"] == str(Post.objects.get().pk)
    assert set(status["account"]) >= ACCOUNT_KEYS
    assert status["account"]["display_name"] == "Ann Bell"
    assert status["account"]["statuses_count"] == 1
    assert "&lt;b&gt;" in status["content"]
    assert 'rel="tag">#<span>Sun</span></a>' in status["content"]
    assert 'class="u-url mention">@<span>bob</span>' in status["content"]
    assert status["tags"][0]["name"] == "sun"
    assert [m["username"] for m in status["mentions"]] == ["bob"]
    assert status["visibility"] == "public"


def test_media_first_then_a_status_claims_it(ann, media_root):
    uploaded = ann.post(
        f"{M}/v2/media",
        {"file": upload(encode(size=(40, 30))), "description": "a red square"},
        format="multipart",
    )
    assert uploaded.status_code == 200, uploaded.json()
    media = uploaded.json()
    assert set(media) >= MEDIA_KEYS
    assert media["meta"]["original"]["width"] == 40
    changed = ann.put(f"{M}/v1/media/{media['id']}", {"description": "red"}, format="json")
    assert changed.json()["description"] == "red"
    status = ann.post(f"{M}/v1/statuses", {"status": "look", "media_ids[]": [media["id"]]}).json()
    (attached,) = status["media_attachments"]
    assert attached["meta"]["original"]["size"] == "40x30"
    assert attached["description"] == "red"
    assert attached["blurhash"]
    assert attached["id"] == str(PostImage.objects.get().pk)
    assert PostImage.objects.count() == 1
    assert not PendingMedia.objects.exists()
    # Claimed once: a second status cannot take it again.
    again = ann.post(f"{M}/v1/statuses", {"status": "x", "media_ids[]": [media["id"]]})
    assert again.status_code == 400
    assert "error" in again.json()


def test_unclaimed_media_is_pruned_after_a_day(ann, media_root, django_capture_on_commit_callbacks):
    ann.post(f"{M}/v1/media", {"file": upload(encode(size=(20, 20)))}, format="multipart")
    assert prune_pending_media() == 0
    PendingMedia.objects.update(created_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert prune_pending_media() == 1
    assert not list(media_root.rglob("pending/*"))


def test_replies_are_comments_and_the_context_shows_them(ann, bob):
    post = ann.post(f"{M}/v1/statuses", {"status": "hello"}).json()
    reply = bob.post(f"{M}/v1/statuses", {"status": "hi", "in_reply_to_id": post["id"]}).json()
    comment = Comment.objects.get()
    assert reply["id"] == f"c{comment.pk}"
    assert reply["in_reply_to_id"] == post["id"]
    assert reply["in_reply_to_account_id"] == "1"
    context = ann.get(f"{M}/v1/statuses/{post['id']}/context").json()
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]
    assert (
        ann.get(f"{M}/v1/statuses/{reply['id']}/context").json()["ancestors"][0]["id"]
        == (post["id"])
    )
    assert ann.get(f"{M}/v1/statuses/{post['id']}").json()["replies_count"] == 1


def test_favourite_bookmark_and_delete(ann, bob):
    post = ann.post(f"{M}/v1/statuses", {"status": "hello"}).json()
    faved = bob.post(f"{M}/v1/statuses/{post['id']}/favourite").json()
    assert (faved["favourited"], faved["favourites_count"]) == (True, 1)
    assert Like.objects.filter(user_id=2).exists()
    likers = ann.get(f"{M}/v1/statuses/{post['id']}/favourited_by").json()
    assert [a["id"] for a in likers] == ["2"]
    assert bob.post(f"{M}/v1/statuses/{post['id']}/bookmark").json()["bookmarked"] is True
    assert [s["id"] for s in bob.get(f"{M}/v1/bookmarks").json()] == [post["id"]]
    assert bob.post(f"{M}/v1/statuses/{post['id']}/unbookmark").json()["bookmarked"] is False
    assert bob.post(f"{M}/v1/statuses/{post['id']}/unfavourite").json()["favourited"] is False
    assert bob.delete(f"{M}/v1/statuses/{post['id']}").status_code == 403
    deleted = ann.delete(f"{M}/v1/statuses/{post['id']}")
    assert (deleted.status_code, deleted.json()["text"]) == (200, "hello")
    missing = ann.get(f"{M}/v1/statuses/{post['id']}")
    assert (missing.status_code, set(missing.json())) == (404, {"error"})


def test_follow_relationship_and_the_home_timeline_paged_with_link(ann, bob):
    for n in range(3):
        bob.post(f"{M}/v1/statuses", {"status": f"post {n}"})
    relation = ann.post(f"{M}/v1/accounts/2/follow").json()
    assert set(relation) >= RELATIONSHIP_KEYS
    assert relation["following"] is True
    assert Follow.objects.filter(follower_id=1, followee_id=2).exists()
    listed = ann.get(f"{M}/v1/accounts/relationships", {"id[]": ["2", "99"]}).json()
    assert [(r["id"], r["following"]) for r in listed] == [("2", True), ("99", False)]
    first = ann.get(f"{M}/v1/timelines/home", {"limit": 2})
    assert [s["content"] for s in first.json()] == ["<p>post 2</p>", "<p>post 1</p>"]
    link = first["Link"]
    assert link.startswith("<")
    assert 'rel="next"' in link.split(",")[0]
    next_url = link.split(">")[0][1:]
    assert "max_id=" in next_url
    second = ann.get(next_url)
    assert [s["content"] for s in second.json()] == ["<p>post 0</p>"]
    assert ann.get(f"{M}/v1/timelines/home", {"max_id": "nonsense"}).status_code == 400
    followers = ann.get(f"{M}/v1/accounts/2/followers").json()
    assert [a["id"] for a in followers] == ["1"]
    assert ann.get(f"{M}/v1/accounts/2").json()["followers_count"] == 1
    assert ann.post(f"{M}/v1/accounts/2/unfollow").json()["following"] is False


def test_accounts_lookup_and_verify_credentials(ann, bob):
    assert ann.get(f"{M}/v1/accounts/verify_credentials").json()["source"]["privacy"] == "public"
    assert ann.get(f"{M}/v1/accounts/lookup", {"acct": "bob"}).json()["id"] == "2"
    assert ann.get(f"{M}/v1/accounts/2/statuses").json() == []
    assert ann.get(f"{M}/v1/accounts/abc").status_code == 404


def test_the_tag_timeline_and_replies_to_comments(ann, bob):
    post = ann.post(f"{M}/v1/statuses", {"status": "at the #Beach"}).json()
    tagged = ann.get(f"{M}/v1/timelines/tag/beach").json()
    assert [s["id"] for s in tagged] == [post["id"]]
    comment = bob.post(f"{M}/v1/statuses", {"status": "nice", "in_reply_to_id": post["id"]}).json()
    reply = ann.post(f"{M}/v1/statuses", {"status": "ty", "in_reply_to_id": comment["id"]}).json()
    assert reply["in_reply_to_id"] == comment["id"]
    context = bob.get(f"{M}/v1/statuses/{post['id']}/context").json()
    assert [s["id"] for s in context["descendants"]] == [comment["id"], reply["id"]]
    faved = ann.post(f"{M}/v1/statuses/{comment['id']}/favourite").json()
    assert (faved["favourited"], faved["favourites_count"]) == (True, 1)
    ancestors = bob.get(f"{M}/v1/statuses/{reply['id']}/context").json()["ancestors"]
    assert [s["id"] for s in ancestors] == [post["id"], comment["id"]]


def test_search_finds_accounts_statuses_and_hashtags(ann, bob, client):
    AuthorFactory(id=3, username="annabel", name="Bell")
    AuthorFactory(id=4, username="bobby", name="Ann Other")
    posted = ann.post(f"{M}/v1/statuses", {"status": "sunset at the #Beach"}).json()
    found = bob.get(f"{M}/v2/search", {"q": "@ann", "resolve": "true"}).json()
    assert set(found) == {"accounts", "statuses", "hashtags"}
    # The exact username first, then the newest; a display name matches too.
    assert [a["id"] for a in found["accounts"]] == ["1", "4", "3"]
    assert set(found["accounts"][0]) >= ACCOUNT_KEYS
    assert found["statuses"] == []
    only = bob.get(f"{M}/v2/search", {"q": "ann", "type": "accounts", "limit": 1, "offset": 1})
    assert [a["id"] for a in only.json()["accounts"]] == ["4"]
    assert bob.get(f"{M}/v2/search", {"q": "bell"}).json()["accounts"][0]["id"] in {"1", "3"}
    statuses = bob.get(f"{M}/v2/search", {"q": "sunset", "type": "statuses"}).json()
    assert [s["id"] for s in statuses["statuses"]] == [posted["id"]]
    tags = bob.get(f"{M}/v2/search", {"q": "#bea", "type": "hashtags"}).json()["hashtags"]
    assert [(t["name"], t["history"]) for t in tags] == [("beach", [])]
    assert tags[0]["url"].endswith("/mastodon/tags/beach")
    following = bob.get(f"{M}/v2/search", {"q": "ann", "following": "true"}).json()
    assert following["accounts"] == []


def test_search_hides_a_blocker_and_refuses_what_mastodon_refuses(ann, bob, client):
    Block.objects.create(blocker_id=1, blocked_id=2)
    assert bob.get(f"{M}/v2/search", {"q": "ann"}).json()["accounts"] == []
    # The blocker still finds the blocked.
    assert [a["id"] for a in ann.get(f"{M}/v2/search", {"q": "bob"}).json()["accounts"]] == ["2"]
    assert client.get(f"{M}/v2/search", {"q": "bob"}).status_code == 200
    refused = client.get(f"{M}/v2/search", {"q": "bob", "resolve": "true"})
    assert refused.status_code == 401
    assert "error" in refused.json()
    assert ann.get(f"{M}/v2/search").status_code == 400
    assert ann.get(f"{M}/v2/search", {"q": "x", "type": "lists"}).status_code == 400
    assert ann.get(f"{M}/v2/search", {"q": "x", "offset": 10_000}).status_code == 400


def test_blocks_mutes_and_their_lists(ann, bob):
    ann.post(f"{M}/v1/accounts/2/follow")
    blocked = ann.post(f"{M}/v1/accounts/2/block")
    assert blocked.status_code == 200
    assert set(blocked.json()) >= RELATIONSHIP_KEYS
    assert (blocked.json()["blocking"], blocked.json()["following"]) == (True, False)
    assert bob.get(f"{M}/v1/accounts/relationships", {"id[]": "1"}).json()[0]["blocked_by"]
    listed = ann.get(f"{M}/v1/blocks")
    assert [a["id"] for a in listed.json()] == ["2"]
    assert set(listed.json()[0]) >= ACCOUNT_KEYS
    assert ann.post(f"{M}/v1/accounts/2/unblock").json()["blocking"] is False
    assert ann.get(f"{M}/v1/blocks").json() == []
    muted = ann.post(f"{M}/v1/accounts/2/mute", {"notifications": False}, format="json")
    assert muted.json()["muting"] is True
    assert [a["id"] for a in ann.get(f"{M}/v1/mutes").json()] == ["2"]
    assert ann.post(f"{M}/v1/accounts/2/unmute").json()["muting"] is False
    assert ann.post(f"{M}/v1/accounts/1/block").status_code == 400
    assert ann.post(f"{M}/v1/accounts/x/mute").status_code == 404
    assert "error" in ann.post(f"{M}/v1/accounts/x/mute").json()


def test_follow_requests_are_authorized_or_rejected(ann, bob, client_for):
    Author.objects.filter(pk=1).update(is_private=True)
    AuthorFactory(id=3, username="cid")
    cid = client_for(3, "cid")
    assert bob.post(f"{M}/v1/accounts/1/follow").json()["requested"] is True
    assert cid.post(f"{M}/v1/accounts/1/follow").json()["requested"] is True
    pending = ann.get(f"{M}/v1/follow_requests").json()
    assert [a["id"] for a in pending] == ["3", "2"]
    assert set(pending[0]) >= ACCOUNT_KEYS
    authorized = ann.post(f"{M}/v1/follow_requests/2/authorize").json()
    assert (authorized["followed_by"], authorized["requested_by"]) == (True, False)
    assert Follow.objects.filter(follower_id=2, followee_id=1).exists()
    rejected = ann.post(f"{M}/v1/follow_requests/3/reject").json()
    assert (rejected["followed_by"], rejected["requested_by"]) == (False, False)
    assert ann.get(f"{M}/v1/follow_requests").json() == []
    assert ann.post(f"{M}/v1/follow_requests/3/authorize").status_code == 404
