"""Every write to posts, their images, likes and comments.

What a post's creation or deletion also changes in other apps (the author's `posts_count`, the
timeline inboxes) is done by `actions.posts`, which runs these inside one transaction.

Counters on the post (`like_count`, `comment_count`) and on each tag (`post_count`) change with
F() in the same transaction as the row that changes them. Stored files are written before a
post's transaction and deleted only after a deleting transaction commits, so a rollback never
leaves a row without its file.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from psycopg2 import errorcodes, sql
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound

from authors.client import UserSummary
from authors.selectors import users_by_username
from authors.services import fetch_users_by_username, lock_authors_for_writing
from posts import events
from posts.images import ProcessedImage
from posts.models import (
    MAX_IMAGES_PER_POST,
    Bookmark,
    Comment,
    CommentLike,
    Like,
    Post,
    PostImage,
    PostTag,
    Tag,
)
from posts.selectors import post_counters
from posts.text import hashtags, mention_candidates
from relationships.services import lock_pair
from relationships.visibility import ensure_not_blocked, ensure_visible, sql_hidden_user_ids
from shared.db import get_or_create_toggle, violates
from shared.images import EncodedImage

logger = logging.getLogger(__name__)

EMPTY_POST = "A post needs a title, a body or at least one image."
NO_POST = "No post with that id."


def _require_content(*, title: str, body: str, has_images: bool) -> None:
    if not (title.strip() or body.strip() or has_images):
        raise ValidationError(EMPTY_POST, code="empty")


def _store(encoded: EncodedImage, stem: str) -> str:
    """Save `encoded` under a generated name; the client's file name is never used."""
    name = f"{stem}.{encoded.extension}"
    return default_storage.save(name, File(encoded.content, name=name))


def delete_stored_files(names: Iterable[str]) -> None:
    """Best-effort removal of stored files; a missing file is already what we want."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not delete a stored file", extra={"file": name})


@contextmanager
def creating_post(
    *,
    author_id: int,
    title: str = "",
    body: str = "",
    images: Sequence[ProcessedImage] = (),
    alt_texts: Sequence[str] = (),
    comments_disabled: bool = False,
    hide_like_count: bool = False,
) -> Iterator[Post]:
    """Create a post with its images (already validated by `posts.images.process_image`) and
    yield it inside its transaction: what the block writes commits with the post, or not at all.

    `alt_texts` describe the images in their order (fewer leave the rest without one).

    The files are stored before the transaction opens and deleted again if anything fails,
    in the block too. Raises `AccountDeleted` when the author's account is deleted.
    """
    _require_content(title=title, body=body, has_images=bool(images))
    if len(images) > MAX_IMAGES_PER_POST:
        raise ValidationError({"images": [f"At most {MAX_IMAGES_PER_POST} images per post."]})
    if len(alt_texts) > len(images):
        raise ValidationError({"alt_text": ["More alt texts than images."]})
    # Before any file is stored: it may ask the users service (and fail with a 503).
    named = resolve_mentions(title, body)
    stored: list[str] = []
    try:
        rows = []
        folder = timezone.now().strftime("posts/%Y/%m/%d")
        for position, processed in enumerate(images):
            stem = f"{folder}/{uuid.uuid4().hex}"
            file = _store(processed.image, stem)
            stored.append(file)
            thumbnail = _store(processed.thumbnail, f"{stem}_thumb")
            stored.append(thumbnail)
            rows.append(
                PostImage(
                    position=position,
                    file=file,
                    thumbnail=thumbnail,
                    width=processed.image.width,
                    height=processed.image.height,
                    alt_text=alt_texts[position] if position < len(alt_texts) else "",
                    blurhash=processed.blurhash,
                )
            )
        with transaction.atomic():
            lock_authors_for_writing(writer_id=author_id)
            post = Post.objects.create(
                author_id=author_id,
                title=title,
                body=body,
                mentioned_user_ids=_mentioned(title, body, named=named, writer_id=author_id),
                comments_disabled=comments_disabled,
                hide_like_count=hide_like_count,
            )
            for row in rows:
                row.post = post
            PostImage.objects.bulk_create(rows)
            _set_tags(post=post, names=hashtags(title, body))
            events.record_post_created(post=post)
            yield post
    except BaseException:
        delete_stored_files(stored)
        raise


def update_post(
    *,
    post: Post,
    title: str | None = None,
    body: str | None = None,
    comments_disabled: bool | None = None,
    hide_like_count: bool | None = None,
) -> Post:
    """Change the given fields (None leaves one as it is). Images are fixed once posted (their
    descriptions are not: `describe_image`).

    Hashtags and mentions follow the new text. Raises `UsersServiceUnavailable` (503) when the
    text mentions names the replica has not met and the users service cannot say who they are.
    """
    named = resolve_mentions(
        post.title if title is None else title, post.body if body is None else body
    )
    with transaction.atomic():
        # Lock the row: the "still has content" check and the write see the same post.
        locked = Post.objects.select_for_update().filter(pk=post.pk).first()
        if locked is None:
            raise NotFound("No post with that id.")
        changed = {
            "title": title,
            "body": body,
            "comments_disabled": comments_disabled,
            "hide_like_count": hide_like_count,
        }
        changed = {field: value for field, value in changed.items() if value is not None}
        for field, value in changed.items():
            setattr(locked, field, value)
        _require_content(
            title=locked.title,
            body=locked.body,
            has_images=PostImage.objects.filter(post_id=locked.pk).exists(),
        )
        if "title" in changed or "body" in changed:
            # From the locked row's text: a concurrent edit of the other field is taken in
            # (a name `named` lacks counts as nobody).
            locked.mentioned_user_ids = _mentioned(
                locked.title, locked.body, named=named, writer_id=locked.author_id
            )
            changed["mentioned_user_ids"] = locked.mentioned_user_ids
        # Only the edited columns: a concurrent like's counter update must not be overwritten.
        locked.save(update_fields=[*changed, "updated_at"])
        if "title" in changed or "body" in changed:
            _set_tags(post=locked, names=hashtags(locked.title, locked.body))
        events.record_post_updated(post=locked)
    return locked


def describe_image(*, post: Post, image_id: int, alt_text: str) -> PostImage:
    """Set the alt text of the post's image `image_id`; `NotFound` when the post has none such.

    The post's `updated_at` moves with it: the Post shape is kept rendered per (id,
    updated_at), and an image's description is part of what the post says.
    """
    with transaction.atomic():
        if not Post.objects.filter(pk=post.pk).update(updated_at=timezone.now()):
            raise NotFound(NO_POST)
        image = PostImage.objects.filter(pk=image_id, post_id=post.pk).first()
        if image is None:
            raise NotFound("No image with that id on this post.")
        image.alt_text = alt_text
        image.save(update_fields=["alt_text"])
    return image


def resolve_mentions(*texts: str) -> dict[str, UserSummary]:
    """The users that the `@usernames` of `texts` may name, keyed by username: the argument
    `_mentioned` picks from.

    The replica answers first (one query). Only a mention none of whose names it has met
    (`@ann.` meets `ann.` or `ann`) is asked of the users service, in one call, and the users
    found are cached. Call before the writing transaction: raises `UsersServiceUnavailable`
    (503) when the users service cannot answer for such a name.
    """
    candidates = mention_candidates(*texts)
    if not candidates:
        return {}
    met = users_by_username(name for names in candidates for name in names)
    named = {name: user for name, user in met.items() if user is not None}
    unmet = [name for names in candidates if not met.keys() & set(names) for name in names]
    if unmet:
        named.update(fetch_users_by_username(unmet))
    return named


def _mentioned(*texts: str, named: dict[str, UserSummary], writer_id: int) -> list[int]:
    """The ids of the users `texts` mention, in order of first appearance, once each, of those
    `named` holds (`resolve_mentions`), leaving out whoever is in a block with the writer (the
    blocked cannot mention the blocker, nor the blocker the blocked). Call inside the writing
    transaction; one query when anyone is mentioned."""
    ids: list[int] = []
    for names in mention_candidates(*texts):
        user = next((named[name] for name in names if name in named), None)
        if user is not None and user["id"] not in ids:
            ids.append(user["id"])
    if not ids:
        return ids
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT {}").format(sql_hidden_user_ids(muted=False)), {"viewer": writer_id}
        )
        hidden = set(cursor.fetchone()[0])
    return [user_id for user_id in ids if user_id not in hidden]


def _set_tags(*, post: Post, names: Sequence[str]) -> None:
    """Make `names` (normalised, in order) the tags of `post`, counting the post in the tags it
    gains and out of those it loses. Call inside the transaction that writes the post, with the
    post's row created or locked by it (so no other writer changes its tags meanwhile).
    """
    before = dict(
        PostTag.objects.filter(post_id=post.pk)
        .order_by("position")
        .values_list("tag__name", "tag_id")
    )
    if list(before) == list(names):
        return
    if names:
        # ON CONFLICT DO NOTHING: a concurrent post may create the same tag first.
        Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id")) if names else {}
    gained = set(ids.values()) - set(before.values())
    lost = set(before.values()) - set(ids.values())
    _lock_tags(gained | lost)
    if gained:
        Tag.objects.filter(pk__in=gained).update(post_count=F("post_count") + 1)
    if lost:
        Tag.objects.filter(pk__in=lost).update(post_count=F("post_count") - 1)
    if before:
        PostTag.objects.filter(post_id=post.pk).delete()
    PostTag.objects.bulk_create(
        PostTag(post_id=post.pk, tag_id=ids[name], position=position, created_at=post.created_at)
        for position, name in enumerate(names)
    )


def _lock_tags(tag_ids: Iterable[int]) -> None:
    """Lock these tags' rows (their counters) in ascending id, the order every writer of
    `Tag.post_count` takes them in: two posts that share tags wait for each other instead of
    deadlocking."""
    ids = sorted(tag_ids)
    if ids:
        list(
            Tag.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _untag_posts(post_ids: Sequence[int]) -> None:
    """Remove the tags of these posts (about to be deleted), uncounting each, in one statement
    after the lock: DELETE ... RETURNING feeds the per-tag decrement. Call inside the deleting
    transaction, with the posts' rows locked."""
    _lock_tags(
        PostTag.objects.filter(post_id__in=post_ids).values_list("tag_id", flat=True).distinct()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH gone AS (
                DELETE FROM {PostTag._meta.db_table} WHERE post_id = ANY(%s) RETURNING tag_id
            )
            UPDATE {Tag._meta.db_table} AS tag SET post_count = tag.post_count - per_tag.n
            FROM (SELECT tag_id, count(*) AS n FROM gone GROUP BY tag_id) AS per_tag
            WHERE tag.id = per_tag.tag_id
            """,  # noqa: S608 - table names come from the models; values are parameters
            [list(post_ids)],
        )


def remove_post(*, post: Post) -> bool:
    """Delete the post with its images, likes and comments; False if it was already gone.

    Call inside the deleting transaction (its row lock refuses to run outside one); the files
    go after that commits.
    """
    # Lock first: a like or comment committed between deleting the children and the post
    # would otherwise be left pointing at a deleted post. Those writes update this row's
    # counters, so they wait for this lock and then find the post gone (NotFound).
    if not Post.objects.select_for_update().filter(pk=post.pk).exists():
        return False
    files = _image_files(PostImage.objects.filter(post_id=post.pk))
    _untag_posts([post.pk])
    Post.objects.filter(pk=post.pk).delete()
    events.record_post_deleted(post=post)
    transaction.on_commit(lambda: delete_stored_files(files))
    return True


def _image_files(images: QuerySet[PostImage]) -> list[str]:
    names: list[str] = []
    for file, thumbnail in images.values_list("file", "thumbnail"):
        names += [file, thumbnail]
    return names


def _ensure_may_touch(*, user_id: int, post: Post) -> None:
    """`NotFound` unless `user_id` may see the post's author (`relationships.visibility`),
    checked after the pair's lock: a block that commits meanwhile is either seen here or comes
    after this write (and hides it from then on)."""
    if user_id == post.author_id:
        return
    lock_pair(user_id, post.author_id)
    ensure_visible(viewer_id=user_id, author_id=post.author_id, detail=NO_POST)


def like_post(*, user_id: int, post: Post) -> tuple[int, bool]:
    """Like `post` as `user_id`; return (like_count, created). Idempotent under concurrency.

    Concurrent calls by one user all try to insert; the unique (post, user_id) constraint lets
    one through and `get_or_create_toggle` turns the others' IntegrityError into "already
    there" (its insert runs in a savepoint, so this transaction survives), or tries again when
    an unlike removed the winner first. Only the creator bumps the counter, so `like_count`
    counts the like once.

    A viral post's likes all lock two rows of its own: the post's event sequence and its
    counter. Both are taken last, just before the commit (`_count_like`), so each like holds
    them for the least time (docs/performance.md, "Hot rows").
    """
    with transaction.atomic():
        lock_authors_for_writing(writer_id=user_id)
        _ensure_may_touch(user_id=user_id, post=post)
        _, created = get_or_create_toggle(Like.objects, post_id=post.pk, user_id=user_id)
        if created:
            events.record_post_liked(post=post, user_id=user_id)
            like_count = _count_like(post_id=post.pk, delta=1)
        else:
            like_count = (
                Post.objects.filter(pk=post.pk).values_list("like_count", flat=True).first()
            )
        if like_count is None:
            # Deleted meanwhile; raising rolls the like back with it.
            raise NotFound("No post with that id.")
    return like_count, created


def _count_like(*, post_id: int, delta: int) -> int | None:
    """Add `delta` to the post's like_count and return the new count (None: no such post), in
    one statement: the row's lock is held from here to the commit, so call it last."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Post._meta.db_table} SET like_count = like_count + %s "  # noqa: S608
            "WHERE id = %s RETURNING like_count",
            [delta, post_id],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def unlike_post(*, user_id: int, post: Post) -> None:
    """Remove the user's like if there is one (idempotent)."""
    with transaction.atomic():
        deleted, _ = Like.objects.filter(post_id=post.pk, user_id=user_id).delete()
        # Of concurrent unlikes only the one whose DELETE removed the row decrements, the
        # post's hot rows last (like_post).
        if deleted:
            events.record_post_unliked(post_id=post.pk, user_id=user_id)
            _count_like(post_id=post.pk, delta=-1)


def bookmark_post(*, user_id: int, post: Post) -> bool:
    """Bookmark `post` for `user_id`; return whether this call created the bookmark.

    `NotFound` unless the user may see the post (the visibility policy). Idempotent under
    concurrency as liking is: the unique (post, user_id) constraint lets one
    insert through and `get_or_create_toggle` turns the others into "already there" (or tries
    again when an unbookmark removed the winner first). Raises `NotFound` when the post was
    deleted meanwhile: the foreign key refuses the row when the transaction commits (Django
    declares it deferred), so that is where the error is caught.
    """
    try:
        with transaction.atomic():
            lock_authors_for_writing(writer_id=user_id)
            _ensure_may_touch(user_id=user_id, post=post)
            _, created = get_or_create_toggle(Bookmark.objects, post_id=post.pk, user_id=user_id)
    except IntegrityError as error:
        if violates(error, errorcodes.FOREIGN_KEY_VIOLATION):
            raise NotFound(NO_POST) from None
        raise
    return created


def unbookmark_post(*, user_id: int, post_id: int) -> None:
    """Remove the user's bookmark of the post if there is one (idempotent)."""
    Bookmark.objects.filter(post_id=post_id, user_id=user_id).delete()


NO_PARENT = "No comment with that id on this post."
NO_COMMENT = "No comment with that id."


class CommentsDisabled(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "The author has turned off commenting on this post."
    default_code = "comments_disabled"


def add_comment(*, post: Post, author_id: int, body: str, parent_id: int | None = None) -> Comment:
    """Comment on `post`, or reply to its comment `parent_id`.

    One level of replies: a reply to a reply is filed under that reply's top-level comment, and
    the author of the comment replied to is told (`parent_author_id` of the event). A
    `ValidationError` on `parent_id` (400) when that is no comment of this post; `NotFound`
    when its author and the writer are in a block (the comment does not exist for either,
    `relationships.visibility.ensure_not_blocked`). `CommentsDisabled` (403) where the post's
    author turned commenting off. Raises `UsersServiceUnavailable` (503) when the body mentions
    names the replica has not met and the users service cannot say.

    Lock order, as in every write that adds or removes comments: the post's row (its counter),
    then the top-level comment's (its `reply_count`): a deletion of that comment, which takes
    them in the same order, either sees this reply or makes it fail.
    """
    named = resolve_mentions(body)
    with transaction.atomic():
        lock_authors_for_writing(writer_id=author_id)
        _ensure_may_touch(user_id=author_id, post=post)
        open_for_comments = Post.objects.filter(pk=post.pk, comments_disabled=False)
        if not open_for_comments.update(comment_count=F("comment_count") + 1):
            if Post.objects.filter(pk=post.pk).exists():
                raise CommentsDisabled()
            raise NotFound(NO_POST)
        replied_to = None if parent_id is None else _replied_to(post, parent_id, author_id)
        top_id = None if replied_to is None else (replied_to["parent_id"] or replied_to["id"])
        if top_id is not None and not Comment.objects.filter(pk=top_id).update(
            reply_count=F("reply_count") + 1
        ):
            raise ValidationError({"parent_id": [NO_PARENT]})  # deleted meanwhile
        comment = Comment.objects.create(
            post_id=post.pk,
            parent_id=top_id,
            author_id=author_id,
            body=body,
            mentioned_user_ids=_mentioned(body, named=named, writer_id=author_id),
        )
        events.record_comment_created(
            comment=comment,
            post=post,
            parent_author_id=None if replied_to is None else replied_to["author_id"],
        )
    return comment


def _replied_to(post: Post, parent_id: int, author_id: int) -> dict:
    """The comment `parent_id` of `post` (id, parent_id, author_id), which `author_id` may
    reply to; call inside the writing transaction."""
    replied_to = (
        Comment.objects.filter(pk=parent_id, post_id=post.pk)
        .values("id", "parent_id", "author_id")
        .first()
    )
    if replied_to is None:
        raise ValidationError({"parent_id": [NO_PARENT]})
    if replied_to["author_id"] != author_id:
        lock_pair(author_id, replied_to["author_id"])
        ensure_not_blocked(viewer_id=author_id, user_id=replied_to["author_id"], detail=NO_COMMENT)
    return replied_to


def delete_comment(*, comment: Comment) -> None:
    """Delete the comment with its replies and their likes (idempotent).

    The post's row, then the comment's, then its replies' are locked before anything is
    deleted (the lock order of `add_comment`): a reply or a like committed meanwhile is seen
    and deleted too, one that comes after finds the comment gone and fails.
    """
    with transaction.atomic():
        if not Post.objects.select_for_update(no_key=True).filter(pk=comment.post_id).exists():
            return  # the post went, and its comments with it
        if not Comment.objects.select_for_update().filter(pk=comment.pk).exists():
            return
        replies = list(
            Comment.objects.select_for_update()
            .filter(parent_id=comment.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        CommentLike.objects.filter(comment_id__in=[comment.pk, *replies]).delete()
        Comment.objects.filter(pk__in=[comment.pk, *replies]).delete()
        Post.objects.filter(pk=comment.post_id).update(
            comment_count=F("comment_count") - 1 - len(replies)
        )
        if comment.parent_id is not None:
            Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") - 1)
        for comment_id in [comment.pk, *replies]:
            events.record_comment_deleted(comment_id=comment_id, post_id=comment.post_id)


def like_comment(*, user_id: int, comment: Comment) -> tuple[int, bool]:
    """Like `comment` as `user_id`; return (like_count, created). Idempotent under concurrency,
    as `like_post` is (the unique (comment, user_id) pair and `get_or_create_toggle`).

    `NotFound` when the comment or its post is gone, when the liker may not see the post, or
    when the comment's author and the liker are in a block (`relationships.visibility`, after
    the pairs' locks). The post's row is held (FOR KEY SHARE) so that its deletion, which
    deletes the comments' likes before the comments, waits for this like or refuses it.
    """
    with transaction.atomic():
        lock_authors_for_writing(writer_id=user_id)
        post_author_id = _hold_post(comment.post_id)
        if post_author_id is None:
            raise NotFound(NO_COMMENT)
        if post_author_id != user_id:
            lock_pair(user_id, post_author_id)
            ensure_visible(viewer_id=user_id, author_id=post_author_id, detail=NO_COMMENT)
        if comment.author_id not in (user_id, post_author_id):
            lock_pair(user_id, comment.author_id)
            ensure_not_blocked(viewer_id=user_id, user_id=comment.author_id, detail=NO_COMMENT)
        _, created = get_or_create_toggle(
            CommentLike.objects, comment_id=comment.pk, user_id=user_id
        )
        if created and not Comment.objects.filter(pk=comment.pk).update(
            like_count=F("like_count") + 1
        ):
            raise NotFound(NO_COMMENT)  # deleted meanwhile; raising rolls the like back
        if created:
            events.record_comment_liked(comment=comment, user_id=user_id)
        like_count = (
            Comment.objects.filter(pk=comment.pk).values_list("like_count", flat=True).first()
        )
        if like_count is None:
            raise NotFound(NO_COMMENT)
    return like_count, created


def unlike_comment(*, user_id: int, comment: Comment) -> None:
    """Remove the user's like of the comment if there is one (idempotent)."""
    with transaction.atomic():
        deleted, _ = CommentLike.objects.filter(comment_id=comment.pk, user_id=user_id).delete()
        # Of concurrent unlikes only the one whose DELETE removed the row decrements.
        if deleted:
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") - 1)
            events.record_comment_unliked(comment_id=comment.pk, user_id=user_id)


def _hold_post(post_id: int) -> int | None:
    """Hold the post's row against its deletion (FOR KEY SHARE) until the transaction ends;
    return its author's id, None when it is gone."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT author_id FROM {Post._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608
            [post_id],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def delete_user_content(*, user_id: int) -> None:
    """Remove everything `user_id` wrote: posts (with files), likes, bookmarks and comments.

    For account deletion. Counters on other users' posts drop by exactly what is removed:
    each DELETE ... RETURNING feeds the UPDATE that fixes the counters, in one statement.
    """
    with transaction.atomic():
        own_posts = Post.objects.select_for_update().filter(author_id=user_id)
        post_ids = list(own_posts.values_list("pk", flat=True))
        files = _image_files(PostImage.objects.filter(post_id__in=post_ids))
        _untag_posts(post_ids)
        Post.objects.filter(pk__in=post_ids).delete()
        _delete_and_uncount(Like, Post, user_id=user_id, counter="like_count")
        _delete_and_uncount(CommentLike, Comment, user_id=user_id, counter="like_count")
        Bookmark.objects.filter(user_id=user_id).delete()
        _delete_user_comments(user_id=user_id)
        transaction.on_commit(lambda: delete_stored_files(files))


def _delete_and_uncount(model: type, target: type, *, user_id: int, counter: str) -> None:
    """Delete a user's rows of `model` (likes of posts or of comments) and take them off each
    liked row's `counter` (of `target`), in one statement: DELETE ... RETURNING feeds the
    per-row decrement."""
    key = model._meta.get_field(target._meta.model_name).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH gone AS (
                DELETE FROM {model._meta.db_table} WHERE user_id = %s RETURNING {key}
            )
            UPDATE {target._meta.db_table} AS liked
            SET {counter} = liked.{counter} - per_row.n
            FROM (SELECT {key} AS id, count(*) AS n FROM gone GROUP BY {key}) AS per_row
            WHERE liked.id = per_row.id
            """,  # noqa: S608 - names come from the models and the callers above; values are parameters
            [user_id],
        )


def _delete_user_comments(*, user_id: int) -> None:
    """Delete the user's comments with the replies to them and their likes, fixing the counts
    of the posts and of the top-level comments that keep their other replies.

    The posts' rows first, then the comments' (the lock order of `add_comment`): a reply or a
    like committing meanwhile is seen and deleted too, or finds its comment gone.
    """
    mine = Q(author_id=user_id) | Q(parent__author_id=user_id)
    affected = Comment.objects.filter(mine).values("post_id")
    list(
        Post.objects.select_for_update(no_key=True)
        .filter(pk__in=affected)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    gone = list(
        Comment.objects.select_for_update(of=("self",))
        .filter(mine)
        .order_by("pk")
        .values_list("pk", "post_id", "parent_id", "author_id")
    )
    if not gone:
        return
    ids = {comment_id for comment_id, *_ in gone}
    CommentLike.objects.filter(comment_id__in=ids).delete()
    Comment.objects.filter(pk__in=ids).delete()
    for post_id, n in sorted(Counter(post_id for _, post_id, _, _ in gone).items()):
        Post.objects.filter(pk=post_id).update(comment_count=F("comment_count") - n)
    kept_parents = Counter(
        parent for _, _, parent, _ in gone if parent is not None and parent not in ids
    )
    for parent_id, n in sorted(kept_parents.items()):
        Comment.objects.filter(pk=parent_id).update(reply_count=F("reply_count") - n)
    for comment_id, post_id, _, author_id in gone:
        # Others' replies to the user's comments: their notifications (a mention) go with them.
        # What the user wrote themselves needs no event: consumers apply the account deletion.
        if author_id != user_id:
            events.record_comment_deleted(comment_id=comment_id, post_id=post_id)


def recount_post_counters() -> int:
    """Rewrite every counter of `post_counters` (each post's `like_count` and `comment_count`,
    each comment's `reply_count` and `like_count`, each tag's `post_count`) that differs from
    its rows; return how many rows were rewritten.

    Likes, comments and tagging wait while it runs (SHARE locks on the counted tables, taken
    before anything is read), so a like in flight is either counted or not yet made, and the
    counts it writes are exact.
    """
    counted = ", ".join(model._meta.db_table for model in (Like, Comment, CommentLike, PostTag))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {counted} IN SHARE MODE")
        rewritten = 0
        for counter in post_counters():
            cursor.execute(
                f"""
                UPDATE {counter.table} AS stored SET {counter.column} = coalesce(counted.n, 0)
                FROM {counter.table} AS post
                LEFT JOIN ({counter.recount}) AS counted (key, n) ON counted.key = post.id
                WHERE stored.id = post.id AND stored.{counter.column} <> coalesce(counted.n, 0)
                """  # noqa: S608 - identifiers and the recount come from post_counters()
            )
            rewritten += cursor.rowcount
    return rewritten
