"""/mastodon/api/v1/statuses...: posts (and comments) as statuses, favourites, bookmarks.

`POST /statuses` creates a post (`status` is its body, `media_ids[]` its images) or, with
`in_reply_to_id`, a comment on that post (or on the post of that comment), through the native
writers; an `Idempotency-Key` is replayed by the shared middleware as for every write.
"""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from actions.posts import create_post, delete_post
from authors.api.callers import viewer_id
from mastodon_api import entities, services
from mastodon_api.api.common import FeedMastodonView, status_target
from posts.api.fields import body_field
from posts.api.permissions import IsAuthorOrReadOnly, IsCommentOrPostAuthor
from posts.models import MAX_IMAGES_PER_POST, Comment
from posts.selectors import (
    comment_queryset,
    comment_replies,
    ensure_post_visible,
    get_comment,
    get_post_for_write,
    get_post_row,
    get_visible_comment,
    post_comments,
    post_likes,
)
from posts.services import (
    add_comment,
    bookmark_post,
    delete_comment,
    like_comment,
    like_post,
    unlike_comment,
    unlike_post,
)
from saved.selectors import visible_post
from saved.services import remove_bookmark
from shared.mastodon import ENTITIES, ENTITY, MastodonPagination, list_param

TAGS = ["mastodon"]
# A thread's comments shown by `context` (Mastodon returns the whole thread in one answer).
CONTEXT_LIMIT = 400


def post_status(post_id: int, request: Request) -> dict[str, Any]:
    body = entities.status(get_post_row(post_id, viewer_id=viewer_id(request)))
    if body is None:  # deleted since the row was read
        raise NotFound("Record not found")
    return body


def comment_status(comment_id: int, request: Request) -> dict[str, Any]:
    """The comment as a Status, if the caller may see it (`get_visible_comment`)."""
    viewer = viewer_id(request)
    get_visible_comment(comment_id, viewer_id=viewer)
    comment = comment_queryset(viewer_id=viewer).select_related("post", "parent").get(pk=comment_id)
    return entities.comment_statuses([comment])[0]


def _post_id(raw: str) -> int:
    kind, target = status_target(raw)
    if kind != "post":
        # A comment has nothing to bookmark in the native model.
        raise NotFound("Record not found")
    return target


def _check(permission: Any, request: Request, view: Any, obj: Any) -> None:
    if not permission.has_object_permission(request, view, obj):
        raise PermissionDenied(permission.message)


class StatusListView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="MastodonStatusCreate")
    class InputSerializer(serializers.Serializer):
        status = body_field(required=False, default="", allow_blank=True)
        in_reply_to_id = serializers.CharField(required=False, allow_null=True, max_length=40)
        visibility = serializers.CharField(required=False, allow_null=True, max_length=20)
        sensitive = serializers.BooleanField(required=False, allow_null=True)
        spoiler_text = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        language = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: ENTITY}, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        text = data.validated_data["status"]
        media_ids = list_param(request, "media_ids")
        reply_to = data.validated_data.get("in_reply_to_id")
        if reply_to:
            if media_ids:
                raise ValidationError({"media_ids": ["A reply is a comment: text only."]})
            kind, target = status_target(reply_to)
            parent_id = target if kind == "comment" else None
            post_id = get_comment(target).post_id if kind == "comment" else target
            comment = add_comment(
                post=get_post_for_write(post_id, viewer_id=request.user.id),
                author_id=request.user.id,
                body=text,
                parent_id=parent_id,
            )
            return Response(comment_status(comment.pk, request))
        if len(media_ids) > MAX_IMAGES_PER_POST:
            raise ValidationError(
                {"media_ids": [f"At most {MAX_IMAGES_PER_POST} images per post."]}
            )
        claimed = services.claiming_media(owner_id=request.user.id, media_ids=media_ids)
        with claimed as (images, descriptions):
            post = create_post(
                author_id=request.user.id, body=text, images=images, alt_texts=descriptions
            )
        return Response(post_status(post.pk, request))


class StatusDetailView(FeedMastodonView):
    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request, status_id: str) -> Response:
        kind, target = status_target(status_id)
        if kind == "comment":
            return Response(comment_status(target, request))
        return Response(post_status(target, request))

    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def delete(self, request: Request, status_id: str) -> Response:
        if not request.user.is_authenticated:
            raise PermissionDenied("The access token is invalid")
        kind, target = status_target(status_id)
        if kind == "comment":
            comment = get_comment(target)
            _check(IsCommentOrPostAuthor(), request, self, comment)
            body = comment_status(target, request)
            body["text"] = comment.body
            delete_comment(comment=comment)
            return Response(body)
        post = get_post_for_write(target, viewer_id=request.user.id)
        _check(IsAuthorOrReadOnly(), request, self, post)
        body = post_status(target, request)
        body["text"] = "\n\n".join(part for part in (post.title, post.body) if part)
        delete_post(post=post)
        return Response(body)


class StatusContextView(FeedMastodonView):
    """A post's comments as its descendants; a comment's post as its ancestor."""

    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request, status_id: str) -> Response:
        kind, target = status_target(status_id)
        viewer = viewer_id(request)
        if kind == "comment":
            comment = comment_status(target, request)
            ancestors = []
            parent = comment["in_reply_to_id"]
            if parent.startswith("c"):
                ancestors.append(comment_status(int(parent[1:]), request))
            post_id = get_comment(target).post_id
            ancestors.insert(0, post_status(post_id, request))
            return Response({"ancestors": ancestors, "descendants": []})
        post_status(target, request)  # 404 unless the caller may see the post
        thread: list[Comment] = []
        tops = post_comments(target, viewer_id=viewer).select_related("post", "parent")
        for top in tops.order_by("created_at", "id")[:CONTEXT_LIMIT]:
            thread.append(top)
            if top.reply_count:
                replies = comment_replies(top.pk, viewer_id=viewer).select_related("post", "parent")
                thread += list(replies.order_by("created_at", "id")[:CONTEXT_LIMIT])
        return Response(
            {"ancestors": [], "descendants": entities.comment_statuses(thread[:CONTEXT_LIMIT])}
        )


class StatusFavouritedByView(FeedMastodonView):
    @extend_schema(responses={200: ENTITIES}, tags=TAGS)
    def get(self, request: Request, status_id: str) -> Response:
        post_id = _post_id(status_id)
        viewer = viewer_id(request)
        ensure_post_visible(post_id, viewer_id=viewer)
        paginator = MastodonPagination()
        likes = post_likes(post_id, viewer_id=viewer)
        page = paginator.paginate_queryset(likes, request, view=self)
        ids = [like.user_id for like in page]
        found = entities.accounts(ids)
        return paginator.get_paginated_response([found[user_id] for user_id in ids])


class _StatusActionView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    def act(self, request: Request, post_id: int) -> None:
        raise NotImplementedError

    def act_on_comment(self, request: Request, comment_id: int) -> None:
        raise NotFound("Record not found")

    @extend_schema(request=None, responses={200: ENTITY}, tags=TAGS)
    def post(self, request: Request, status_id: str) -> Response:
        kind, target = status_target(status_id)
        if kind == "comment":
            self.act_on_comment(request, target)
            return Response(comment_status(target, request))
        self.act(request, target)
        return Response(post_status(target, request))


class FavouriteView(_StatusActionView):
    def act(self, request: Request, post_id: int) -> None:
        like_post(
            user_id=request.user.id,
            post=get_post_for_write(post_id, viewer_id=request.user.id),
        )

    def act_on_comment(self, request: Request, comment_id: int) -> None:
        comment = get_visible_comment(comment_id, viewer_id=request.user.id)
        like_comment(user_id=request.user.id, comment=comment)


class UnfavouriteView(_StatusActionView):
    def act(self, request: Request, post_id: int) -> None:
        unlike_post(
            user_id=request.user.id,
            post=get_post_for_write(post_id, viewer_id=request.user.id),
        )

    def act_on_comment(self, request: Request, comment_id: int) -> None:
        comment = get_visible_comment(comment_id, viewer_id=request.user.id)
        unlike_comment(user_id=request.user.id, comment=comment)


class BookmarkView(_StatusActionView):
    def act(self, request: Request, post_id: int) -> None:
        bookmark_post(
            user_id=request.user.id, post=visible_post(post_id, viewer_id=request.user.id)
        )


class UnbookmarkView(_StatusActionView):
    def act(self, request: Request, post_id: int) -> None:
        post = visible_post(post_id, viewer_id=request.user.id)
        remove_bookmark(user_id=request.user.id, post_id=post.pk)
