"""Bookmarks, collections, tag pages, explore, suggestions and search, end to end through the
real nginx gateway (the other tests' posts share the database: every name here is unique)."""

import uuid

from tests.conftest import sign_up


def ids_until(api, url: str, auth: dict, wanted: int, pages: int = 20) -> list[int]:
    """The post ids of a list, page after page, until `wanted` shows (or the list ends)."""
    seen: list[int] = []
    for _ in range(pages):
        response = api.get(url, headers=auth)
        assert response.status_code == 200, response.text
        seen += [post["id"] for post in response.json()["results"]]
        url = response.json()["next"]
        if wanted in seen or not url:
            break
    return seen


def test_a_post_found_by_tag_explore_and_search_then_saved_in_a_collection(api):
    alice, bob, carol = sign_up(api), sign_up(api), sign_up(api)
    word, tag = f"harbour{uuid.uuid4().hex[:8]}", f"서울{uuid.uuid4().hex[:6]}"
    created = api.post(
        "/api/v1/posts", headers=alice.auth, json={"body": f"Sunset at the {word} #{tag}"}
    )
    assert created.status_code == 201, created.text
    post = created.json()["id"]

    # The tag page and its count.
    assert api.get(f"/api/v1/tags/{tag}").json() == {"name": tag, "post_count": 1}
    assert api.get("/api/v1/tags/not%20a%20tag").status_code == 400
    page = api.get(f"/api/v1/tags/{tag}/posts").json()
    assert [item["id"] for item in page["results"]] == [post]
    assert page["results"][0]["hashtags"] == [tag]

    # Search, in either script, anonymous or not.
    assert [item["id"] for item in api.get(f"/api/v1/posts?search={word}").json()["results"]] == [
        post
    ]
    found = api.get(f"/api/v1/posts?search={tag}", headers=bob.auth).json()["results"]
    assert [item["id"] for item in found] == [post]

    # Explore shows it to a stranger, not to its author nor to a follower.
    assert post in ids_until(api, "/api/v1/explore/posts", bob.auth, post)
    assert post not in ids_until(api, "/api/v1/explore/posts", alice.auth, post)
    assert api.post(f"/api/v1/users/{alice.id}/follow", headers=carol.auth).status_code == 201
    assert post not in ids_until(api, "/api/v1/explore/posts", carol.auth, post)

    # Carol follows alice, so bob, who follows carol, is suggested alice.
    assert api.post(f"/api/v1/users/{carol.id}/follow", headers=bob.auth).status_code == 201
    suggested = api.get("/api/v1/users/suggested", headers=bob.auth)
    assert suggested.status_code == 200
    assert {"id": alice.id, "username": alice.username, "avatar_url": None, "mutual_count": 1} in (
        suggested.json()["results"]
    )
    assert api.get("/api/v1/users/suggested").status_code == 401

    # Bob saves it in a collection: bookmarked, listed, and private to him.
    made = api.post("/api/v1/collections", headers=bob.auth, json={"name": "Sunsets"})
    assert made.status_code == 201, made.text
    collection = made.json()["id"]
    put = api.put(f"/api/v1/collections/{collection}/posts/{post}", headers=bob.auth)
    assert put.status_code == 204
    assert api.get(f"/api/v1/posts/{post}", headers=bob.auth).json()["bookmarked_by_me"] is True
    assert api.get(f"/api/v1/posts/{post}", headers=carol.auth).json()["bookmarked_by_me"] is False
    bookmarks = api.get("/api/v1/bookmarks", headers=bob.auth).json()["results"]
    assert [item["id"] for item in bookmarks] == [post]
    listed = api.get(f"/api/v1/collections/{collection}/posts", headers=bob.auth).json()
    assert [item["id"] for item in listed["results"]] == [post]
    assert api.get(f"/api/v1/collections/{collection}", headers=bob.auth).json()["post_count"] == 1
    assert api.get(f"/api/v1/collections/{collection}", headers=carol.auth).status_code == 404

    # Deleted, the post leaves the bookmarks and the collection.
    assert api.delete(f"/api/v1/posts/{post}", headers=alice.auth).status_code == 204
    assert api.get("/api/v1/bookmarks", headers=bob.auth).json()["results"] == []
    assert api.get(f"/api/v1/collections/{collection}", headers=bob.auth).json()["post_count"] == 0
