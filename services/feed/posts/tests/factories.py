"""factory_boy factories for posts, likes, comments and the author replica."""

from datetime import datetime

import factory

from authors.models import Author
from posts.models import Comment, Like, Post, PostImage


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    id = factory.Sequence(lambda n: 1000 + n)
    username = factory.LazyAttribute(lambda author: f"user{author.id}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    author_id = factory.Sequence(lambda n: 1000 + n)
    title = factory.Sequence(lambda n: f"Post {n}")
    body = "Some words."


def post_at(author_id: int, created_at: datetime) -> Post:
    """A post created at `created_at` (which auto_now_add would not let a factory set).

    Like every factory here it writes the row alone: no counters, no timeline inbox entries.
    """
    post = PostFactory(author_id=author_id)
    Post.objects.filter(pk=post.pk).update(created_at=created_at)
    post.created_at = created_at
    return post


class PostImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostImage

    post = factory.SubFactory(PostFactory)
    position = factory.Sequence(lambda n: n % 10)
    file = factory.LazyAttribute(lambda image: f"posts/test/{image.post.pk}-{image.position}.jpg")
    thumbnail = factory.LazyAttribute(
        lambda image: f"posts/test/{image.post.pk}-{image.position}_thumb.jpg"
    )
    width = 640
    height = 480


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    post = factory.SubFactory(PostFactory)
    user_id = factory.Sequence(lambda n: 5000 + n)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author_id = factory.Sequence(lambda n: 7000 + n)
    body = factory.Sequence(lambda n: f"Comment {n}")
