"""render_posts (the one renderer of posts) against PostSerializer (the documented shape).

The same posts, read for the same viewer, must render to the same JSON bytes (keys, order,
types and values) as DRF's `JSONRenderer` draws `PostSerializer`'s own output for them, read
independently through the ORM, on each read path.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import orjson
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.db.models import Prefetch, QuerySet
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from authors.models import Author
from authors.selectors import replica_summaries
from authors.services import summarize_authors
from posts.api.media import media_url, media_urls
from posts.api.rendering import OrjsonRenderer, _Shape, render_posts, rendered
from posts.api.serializers import PostSerializer
from posts.models import Bookmark, Like, Post, PostImage, PostTag
from posts.selectors import get_post_row, post_contents, user_post_rows
from posts.services import _set_tags, like_post
from posts.tests.factories import AuthorFactory, LikeFactory, PostFactory, PostImageFactory
from social.tests.factories import FollowFactory
from timeline.selectors import timeline_page

pytestmark = pytest.mark.django_db

VIEWER, OTHER = 10, 11
# 1 and 2 are in the replica; only the users service knows 3; nobody knows 4 (a placeholder).
AUTHORS = (1, 2, 3, 4)
VIEWERS = [None, VIEWER, OTHER]


def render(data: object) -> bytes:
    return JSONRenderer().render(data)


def fast(data: object) -> bytes:
    return OrjsonRenderer().render(data)


def orm_posts(posts: Iterable[Post] | QuerySet[Post], viewer_id: int | None) -> list:
    """The posts as the ORM reads them, with the attributes `PostSerializer` declares: a
    reading independent of `posts.selectors`' hand-written SQL."""
    images = Prefetch("images", queryset=PostImage.objects.order_by("position"))
    posts = list(Post.objects.filter(pk__in=[post.pk for post in posts]).prefetch_related(images))
    authors = summarize_authors({post.author_id for post in posts})
    liked = set(Like.objects.filter(user_id=viewer_id).values_list("post_id", flat=True))
    tags: dict[int, list[str]] = {}
    for post_id, name in (
        PostTag.objects.filter(post__in=posts)
        .order_by("position")
        .values_list("post_id", "tag__name")
    ):
        tags.setdefault(post_id, []).append(name)
    saved = set(Bookmark.objects.filter(user_id=viewer_id).values_list("post_id", flat=True))
    mentioned = replica_summaries({i for post in posts for i in post.mentioned_user_ids})
    return [
        SimpleNamespace(
            id=post.pk,
            author=authors[post.author_id],
            title=post.title,
            body=post.body,
            images=list(post.images.all()),
            hashtags=tags.get(post.pk, []),
            mentions=[mentioned[i] for i in post.mentioned_user_ids if i in mentioned],
            like_count=(
                None if post.hide_like_count and post.author_id != viewer_id else post.like_count
            ),
            comments_disabled=post.comments_disabled,
            hide_like_count=post.hide_like_count,
            comment_count=post.comment_count,
            liked_by_me=post.pk in liked,
            bookmarked_by_me=post.pk in saved,
            created_at=post.created_at,
            updated_at=post.updated_at,
        )
        for post in sorted(posts, key=lambda post: (post.created_at, post.pk), reverse=True)
    ]


def forget_fetched_authors() -> None:
    """Drop what a rendering cached from the users service, so each rendering fetches it."""
    Author.objects.exclude(pk__in=[1, 2]).delete()


@pytest.fixture
def posts(users_service) -> list[Post]:
    """Posts covering every part of the shape, by known, fetched and unknown authors."""
    AuthorFactory(id=1, username="ann", avatar_url="https://cdn.example/ann.png")
    AuthorFactory(id=2, username="bob")
    users_service.add(3, "cat", "https://cdn.example/cat.png")
    for author_id in AUTHORS:
        FollowFactory(follower_id=VIEWER, followee_id=author_id)
    for author_id in (2, 3):
        FollowFactory(follower_id=OTHER, followee_id=author_id)

    with_images = PostFactory(author_id=1, title="Hello", body="")
    for position, size in ((2, (800, 600)), (0, (1080, 1350)), (1, (320, 320))):
        PostImageFactory(post=with_images, position=position, width=size[0], height=size[1])
    like_post(user_id=VIEWER, post=with_images)
    like_post(user_id=OTHER, post=with_images)
    _set_tags(post=with_images, names=["서울", "café", "trip"])
    Post.objects.filter(pk=with_images.pk).update(mentioned_user_ids=[2, 1])
    PostImage.objects.filter(post=with_images, position=1).update(
        alt_text='A "quiet" café ✓', blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj"
    )

    text_only = PostFactory(author_id=2, title="", body='Ünïcödé ✓ — "quoted" <b>\nline')
    like_post(user_id=OTHER, post=text_only)
    # A whole second (no microseconds), and an edit after the creation.
    Post.objects.filter(pk=text_only.pk).update(
        created_at=datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC),
        updated_at=datetime(2026, 1, 1, 12, 5, 0, 123, tzinfo=UTC),
        comment_count=3,
    )

    by_fetched = PostFactory(author_id=3)
    PostImageFactory(post=by_fetched, position=0)
    like_post(user_id=VIEWER, post=by_fetched)
    by_unknown = PostFactory(author_id=4)
    Post.objects.filter(pk=by_unknown.pk).update(
        created_at=by_unknown.created_at - timedelta(days=400)
    )
    own = PostFactory(author_id=VIEWER, title="mine", hide_like_count=True)
    like_post(user_id=OTHER, post=own)
    Post.objects.filter(pk=text_only.pk).update(hide_like_count=True, comments_disabled=True)
    return [with_images, text_only, by_fetched, by_unknown, own]


@pytest.mark.parametrize("viewer_id", VIEWERS)
def test_a_single_post_renders_as_the_serializer_renders_it(posts, viewer_id):
    for post in posts:
        forget_fetched_authors()
        expected = render(PostSerializer(orm_posts([post], viewer_id)[0]).data)
        forget_fetched_authors()
        actual = fast(render_posts([get_post_row(post.pk, viewer_id=viewer_id)])[0])
        assert actual == expected, post.pk


@pytest.mark.parametrize("viewer_id", VIEWERS)
def test_a_users_posts_render_as_the_serializer_renders_them(posts, viewer_id):
    for author_id in (*AUTHORS, VIEWER):
        forget_fetched_authors()
        their_posts = orm_posts(Post.objects.filter(author_id=author_id), viewer_id)
        expected = render(PostSerializer(their_posts, many=True).data)
        forget_fetched_authors()
        rows = user_post_rows(author_id, viewer_id=viewer_id, cursor=None, limit=20)
        assert rows
        assert fast(render_posts(rows)) == expected, author_id


@pytest.mark.parametrize("viewer_id", [VIEWER, OTHER])
def test_a_timeline_page_renders_as_the_serializer_renders_it(posts, viewer_id):
    rows = timeline_page(viewer_id=viewer_id, cursor=None, limit=20)
    forget_fetched_authors()
    actual = fast(render_posts(rows))
    forget_fetched_authors()
    page = orm_posts(Post.objects.filter(pk__in=[row.id for row in rows]), viewer_id)
    expected = render(PostSerializer(page, many=True).data)

    assert actual == expected
    assert len(rows) == (len(posts) if viewer_id == VIEWER else 2)


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_page_of_posts_costs_two_queries_whatever_its_size(size, django_assert_num_queries):
    author = AuthorFactory()
    for _ in range(size):
        post = PostFactory(author_id=author.id)
        PostImageFactory(post=post, position=0)
        PostImageFactory(post=post, position=1)
        LikeFactory(post=post, user_id=1)

    # posts with liked_by_me and their authors, then the contents not rendered yet
    with django_assert_num_queries(2):
        rows = user_post_rows(author.id, viewer_id=1, cursor=None, limit=size)
        data = orjson.loads(fast(render_posts(rows)))

    assert len(data) == size
    assert all(item["liked_by_me"] and len(item["images"]) == 2 for item in data)
    assert all(item["author"]["username"] for item in data)


def test_authors_missing_from_the_replica_are_fetched_in_one_call(
    users_service, django_assert_num_queries
):
    users_service.add(3, "cat")
    users_service.add(5, "eve")
    for author_id in (3, 5, 3):
        PostFactory(author_id=author_id)
    rows = user_post_rows(3, viewer_id=None, cursor=None, limit=20) + user_post_rows(
        5, viewer_id=None, cursor=None, limit=20
    )

    # the posts' contents, the replica read for the missing authors and one insert caching them
    with django_assert_num_queries(3):
        data = orjson.loads(fast(render_posts(rows)))

    assert [post["author"]["username"] for post in data] == ["cat", "cat", "eve"]
    assert len(users_service.requests) == 1
    assert set(Author.objects.values_list("id", flat=True)) == {3, 5}


NAMES = [
    "posts/2026/11/24/0f3c9a.jpg",
    "posts/x/0f3c9a_thumb.webp",
    "with space/ünïcödé ✓.png",
    "odd?query#fragment:colon;semi%percent.jpg",
    "/leading/slash.jpg",
    "a/../b.jpg",
    "./c.jpg",
    "d/.",
]


def test_media_urls_gives_media_urls_answer_for_any_name(settings, media_root):
    settings.PUBLIC_BASE_URL = "https://social.example/"
    url = media_urls()
    assert [url(name) for name in NAMES] == [media_url(name) for name in NAMES]


def test_media_urls_asks_any_other_storage_for_each_file(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "posts.tests.test_representations.CdnStorage"},
    }
    url = media_urls()
    assert [url(name) for name in NAMES] == [f"https://cdn.example/{name}" for name in NAMES]


class CdnStorage(FileSystemStorage):
    """A storage whose URLs are not the media base URL plus the name."""

    def url(self, name: str | None) -> str:
        return f"https://cdn.example/{name}"


def test_a_rendered_post_is_kept_until_it_is_edited(django_assert_num_queries):
    author = AuthorFactory(username="ann")
    post = PostFactory(author_id=author.id, title="first", body="one")
    PostImageFactory(post=post, position=0)

    def read() -> dict:
        return orjson.loads(fast(render_posts([get_post_row(post.pk, viewer_id=VIEWER)])))[0]

    with django_assert_num_queries(2):  # the row, then the contents
        assert read()["title"] == "first"
    # Counters, liked_by_me and the author are read every time; the rest is kept.
    like_post(user_id=VIEWER, post=post)
    Author.objects.filter(pk=author.id).update(username="ann2")
    with django_assert_num_queries(1):
        again = read()
    assert (again["like_count"], again["liked_by_me"], again["author"]["username"]) == (
        1,
        True,
        "ann2",
    )
    assert again["images"]
    assert again["body"] == "one"

    # An edit moves updated_at: the post is rendered afresh.
    Post.objects.filter(pk=post.pk).update(
        title="second", updated_at=post.updated_at + timedelta(1)
    )
    with django_assert_num_queries(2):
        edited = read()
    assert edited["title"] == "second"
    assert edited["updated_at"] != again["updated_at"]


def test_a_post_deleted_between_the_two_reads_is_left_out():
    kept, gone = PostFactory(title="kept"), PostFactory(title="gone")
    rows = [get_post_row(kept.pk), get_post_row(gone.pk)]
    gone.delete()
    assert [p["title"] for p in orjson.loads(fast(render_posts(rows)))] == ["kept"]


def test_javascript_line_separators_are_escaped_as_drf_escapes_them():
    AuthorFactory(id=1)
    post = PostFactory(author_id=1, title="a\u2028b", body="c\u2029d")
    expected = render(PostSerializer(orm_posts([post], None)[0]).data)
    assert fast(render_posts([get_post_row(post.pk)])[0]) == expected
    assert b"\\u2028" in expected
    assert b"\\u2029" in expected


def test_keys_that_are_not_strings_render_as_drf_renders_them():
    # A list field's errors are keyed by position: {"images": {0: [...]}}.
    errors = {"images": {0: ["Not a valid image."], 3: ["Too large."]}}
    assert fast(errors) == render(errors)


class WithAuthorId(PostSerializer):
    """The Post with one more field, as a later change would declare it."""

    author_id = serializers.IntegerField(read_only=True)

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "author_id"]


def test_a_field_declared_on_the_serializer_is_rendered_with_the_others():
    post = PostFactory(author_id=AuthorFactory().id)
    shape = _Shape(WithAuthorId())
    row = get_post_row(post.pk)
    [kept] = shape.render_kept(post_contents([post.pk]))

    [rendered_post] = orjson.loads(fast(shape.render([row], {post.pk: kept})))

    assert list(rendered_post) == [*PostSerializer.Meta.fields, "author_id"]
    assert rendered_post["author_id"] == post.author_id


def test_a_field_the_selectors_do_not_read_is_refused_at_the_first_render():
    class WithLocation(PostSerializer):
        location = serializers.CharField(read_only=True)

        class Meta(PostSerializer.Meta):
            fields = [*PostSerializer.Meta.fields, "location"]
            kept_fields = [*PostSerializer.Meta.kept_fields, "location"]

    refused = r"PostSerializer\.location .*selectors\.PostContent"
    with pytest.raises(ImproperlyConfigured, match=refused):
        _Shape(WithLocation())


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(rendered, "size", 3)
    posts = [PostFactory() for _ in range(5)]
    render_posts([get_post_row(post.pk) for post in posts])
    assert len(rendered._items) == 3
    assert [key[0] for key in rendered._items] == [post.pk for post in posts[2:]]


def test_a_cache_of_size_zero_keeps_nothing_and_still_renders(monkeypatch):
    monkeypatch.setattr(rendered, "size", 0)
    post = PostFactory(title="t")
    assert orjson.loads(fast(render_posts([get_post_row(post.pk)])))[0]["title"] == "t"
    assert not rendered._items
