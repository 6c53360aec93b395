"""Hashtags stored normalised: written with a post, changed by its edits, counted per tag."""

import pytest

from actions.posts import create_post, delete_post
from posts.models import PostTag, Tag
from posts.selectors import post_contents
from posts.services import delete_user_content, recount_post_counters, update_post
from posts.tests.factories import AuthorFactory
from shared.testing import run_concurrently


def counts() -> dict[str, int]:
    return dict(Tag.objects.values_list("name", "post_count"))


def tags_of(post) -> list[str]:
    [content] = post_contents([post.pk])
    return content.hashtags


@pytest.mark.django_db
def test_a_post_stores_its_tags_once_each_in_order_of_first_appearance():
    post = create_post(author_id=1, title="#Seoul trip", body="#맛집 #seoul #café")

    assert tags_of(post) == ["seoul", "맛집", "café"]
    assert counts() == {"seoul": 1, "맛집": 1, "café": 1}
    assert (
        list(
            PostTag.objects.filter(post=post)
            .order_by("position")
            .values_list("created_at", flat=True)
        )
        == [post.created_at] * 3
    )


@pytest.mark.django_db
def test_each_post_counts_once_per_tag():
    create_post(author_id=1, body="#a #b")
    create_post(author_id=2, body="#a #a #A")
    assert counts() == {"a": 2, "b": 1}


@pytest.mark.django_db
def test_an_edit_moves_the_counts_with_the_tags():
    post = create_post(author_id=1, title="#keep", body="#old")
    update_post(post=post, body="#new #keep")

    assert tags_of(post) == ["keep", "new"]
    assert counts() == {"keep": 1, "old": 0, "new": 1}


@pytest.mark.django_db
def test_an_edit_that_reorders_tags_reorders_them():
    post = create_post(author_id=1, body="#a #b")
    update_post(post=post, body="#b #a")
    assert tags_of(post) == ["b", "a"]
    assert counts() == {"a": 1, "b": 1}


@pytest.mark.django_db
def test_deleting_a_post_uncounts_its_tags_and_keeps_the_tag():
    post = create_post(author_id=1, body="#gone #both")
    create_post(author_id=2, body="#both")
    delete_post(post=post)

    assert counts() == {"gone": 0, "both": 1}
    assert not PostTag.objects.filter(post_id=post.pk).exists()


@pytest.mark.django_db
def test_deleting_an_account_uncounts_the_tags_of_its_posts():
    for _ in range(2):
        create_post(author_id=1, body="#mine #shared")
    create_post(author_id=2, body="#shared")
    delete_user_content(user_id=1)
    assert counts() == {"mine": 0, "shared": 1}


@pytest.mark.django_db
def test_recounting_repairs_a_drifted_tag_count():
    create_post(author_id=1, body="#t")
    Tag.objects.update(post_count=7)
    assert recount_post_counters() == 1
    assert counts() == {"t": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_the_same_new_tags_count_each_post_once():
    AuthorFactory(id=1)

    def write(n: int) -> None:
        # Opposite orders: the tag rows are locked in id order, whatever the text says.
        create_post(author_id=1, body="#x #y #z" if n % 2 else "#z #y #x")

    results = run_concurrently(8, write)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert counts() == {"x": 8, "y": 8, "z": 8}


# --- through the API -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_post_shows_its_hashtags_and_an_edit_changes_them(client_for):
    author = client_for(7, "ann")
    created = author.post(
        "/api/v1/posts", {"title": "#Seoul", "body": "#맛집 https://x.example/#no"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["hashtags"] == ["seoul", "맛집"]

    post_id = created.json()["id"]
    edited = author.patch(f"/api/v1/posts/{post_id}", {"body": "#Café"}, format="json")
    assert edited.json()["hashtags"] == ["seoul", "café"]
    assert client_for(8).get(f"/api/v1/posts/{post_id}").json()["hashtags"] == ["seoul", "café"]
    assert counts() == {"seoul": 1, "맛집": 0, "café": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 20])
def test_a_page_of_tagged_posts_costs_the_same_queries_whatever_its_size(
    client, size, django_assert_num_queries
):
    author = AuthorFactory()
    for n in range(size):
        create_post(author_id=author.id, body=f"#common #tag{n} #other{n}")

    # the page's statement, then the contents (hashtags among them) of the posts not rendered
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/users/{author.id}/posts?page_size={size}")

    results = response.json()["results"]
    assert len(results) == size
    assert all(post["hashtags"][0] == "common" for post in results)
