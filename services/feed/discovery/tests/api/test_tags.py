"""/api/v1/tags/{name} and /api/v1/tags/{name}/posts: the contract's rows."""

import pytest

from authors.models import Author
from posts.api.rendering import rendered
from posts.tests.factories import AuthorFactory
from posts.tests.shapes import POST_KEYS
from relationships.tests.factories import BlockFactory
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db


def write(client, body: str) -> int:
    response = client.post("/api/v1/posts", {"body": body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [post["id"] for post in response.json()["results"]]


def test_a_tag_counts_its_posts_and_an_unused_one_is_zero(client, client_for):
    author = client_for(1)
    write(author, "a #Sunset by the sea")
    write(author, "#sunset again, and #서울")

    assert client.get("/api/v1/tags/sunset").json() == {"name": "sunset", "post_count": 2}
    assert client.get("/api/v1/tags/SUNSET").json() == {"name": "sunset", "post_count": 2}
    assert client.get("/api/v1/tags/서울").json() == {"name": "서울", "post_count": 1}
    assert client.get("/api/v1/tags/never").json() == {"name": "never", "post_count": 0}


@pytest.mark.parametrize("name", ["no%20spaces", "dash-ed", "x" * 101, "%23", "a.b"])
def test_a_name_that_cannot_be_a_tag_is_a_400(client, name):
    assert client.get(f"/api/v1/tags/{name}").status_code == 400
    assert client.get(f"/api/v1/tags/{name}/posts").status_code == 400


def test_a_tag_page_is_its_posts_newest_first(client, client_for):
    author = client_for(1)
    first = write(author, "#cats one")
    write(author, "#dogs only")
    second = write(author, "two #Cats")

    response = client.get("/api/v1/tags/cats/posts")

    assert ids(response) == [second, first]
    assert set(response.json()["results"][0]) == POST_KEYS
    assert ids(client.get("/api/v1/tags/unused/posts")) == []


def test_following_next_visits_every_tagged_post_once_and_previous_walks_back(client, client_for):
    author = client_for(1)
    posts = [write(author, f"#walk {i}") for i in range(7)]

    seen, pages, url = [], [], "/api/v1/tags/walk/posts?page_size=3"
    while url:
        page = client.get(url).json()
        pages.append(page)
        seen += [post["id"] for post in page["results"]]
        url = page["next"]
    back = client.get(pages[-1]["previous"]).json()

    assert seen == list(reversed(posts))
    assert [post["id"] for post in back["results"]] == seen[3:6]


def test_a_private_accounts_tagged_posts_reach_its_followers_only(client, client_for):
    AuthorFactory(id=1)
    hidden = write(client_for(1), "#quiet post")
    public = write(client_for(2), "#quiet too")
    Author.objects.filter(pk=1).update(is_private=True)
    FollowFactory(follower_id=3, followee_id=1)

    assert ids(client.get("/api/v1/tags/quiet/posts")) == [public]
    assert ids(client_for(4).get("/api/v1/tags/quiet/posts")) == [public]
    assert ids(client_for(3).get("/api/v1/tags/quiet/posts")) == [public, hidden]
    assert ids(client_for(1).get("/api/v1/tags/quiet/posts")) == [public, hidden]


@pytest.mark.parametrize("direction", ["blocked by the author", "blocking the author"])
def test_a_block_either_way_hides_tagged_posts(client_for, direction):
    write(client_for(1), "#feud")
    if direction == "blocked by the author":
        BlockFactory(blocker_id=1, blocked_id=2)
    else:
        BlockFactory(blocker_id=2, blocked_id=1)

    assert ids(client_for(2).get("/api/v1/tags/feud/posts")) == []
    assert len(ids(client_for(3).get("/api/v1/tags/feud/posts"))) == 1


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_tag_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    author = client_for(1)
    for i in range(size):
        write(author, f"#many {i}")
    # Writing rendered them: forget that, so the first read renders them.
    rendered.clear()

    # the caller's deleted-account check, the page's statement, then (the first time) the
    # contents of the posts not rendered yet
    with django_assert_num_queries(3):
        response = client_for(2).get(f"/api/v1/tags/many/posts?page_size={size}")
    with django_assert_num_queries(2):
        again = client_for(2).get(f"/api/v1/tags/many/posts?page_size={size}")

    assert len(ids(response)) == size
    assert again.json() == response.json()
