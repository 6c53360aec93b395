"""/mastodon/api/v1/notifications...: the caller's notifications in Mastodon's shape.

Native types map onto Mastodon's: a like (of a post or a comment) is a `favourite`, a comment,
reply or mention is a `mention`, follows and follow requests keep their names. This service
keeps only its actors' replica (username, avatar), so the Account it shows is that much, and
the Status a stub naming the post or comment (`"42"`, `"c7"`, as the feed's Mastodon ids):
clients fetch it from `GET /api/v1/statuses/{id}`.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from actors.models import Actor
from notifications.models import Notification, NotificationType
from notifications.selectors import notification_queryset
from notifications.services import clear_notifications
from shared.mastodon import ENTITIES, ENTITY, MastodonPagination, MastodonView, list_param

TAGS = ["mastodon"]
EPOCH = "1970-01-01T00:00:00.000Z"

MASTODON_TYPES: dict[str, str] = {
    NotificationType.LIKE: "favourite",
    NotificationType.COMMENT_LIKE: "favourite",
    NotificationType.COMMENT: "mention",
    NotificationType.REPLY: "mention",
    NotificationType.MENTION: "mention",
    NotificationType.FOLLOW: "follow",
    NotificationType.FOLLOW_REQUEST: "follow_request",
    # Mastodon has no "your request was accepted"; the closest is the follow it became.
    NotificationType.FOLLOW_ACCEPTED: "follow",
}


def native_types(mastodon_types: list[str]) -> set[str]:
    return {native for native, theirs in MASTODON_TYPES.items() if theirs in mastodon_types}


def _base() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def _account(actor: Actor) -> dict[str, Any]:
    url = f"{_base()}/mastodon/@{actor.username}"
    avatar = actor.avatar_url or f"{_base()}/static/feed/mastodon/avatar.png"
    header = f"{_base()}/static/feed/mastodon/header.png"
    return {
        "id": str(actor.pk),
        "username": actor.username,
        "acct": actor.username,
        "display_name": actor.username,
        "locked": False,
        "bot": False,
        "group": False,
        "discoverable": True,
        "created_at": EPOCH,
        "note": "",
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }


def _status_id(notification: Notification) -> str | None:
    if notification.comment_id is not None and notification.type != NotificationType.LIKE:
        return f"c{notification.comment_id}"
    if notification.post_id is not None:
        return str(notification.post_id)
    return None


def _status(notification: Notification, account: dict[str, Any]) -> dict[str, Any] | None:
    status_id = _status_id(notification)
    if status_id is None:
        return None
    url = f"{_base()}/mastodon/statuses/{status_id}"
    return {
        "id": status_id,
        "uri": url,
        "url": url,
        "created_at": _timestamp(notification),
        "account": account,
        "content": "",
        "visibility": "public",
        "sensitive": False,
        "spoiler_text": "",
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "poll": None,
        "card": None,
        "language": None,
        "text": None,
        "edited_at": None,
        "application": None,
    }


def _timestamp(notification: Notification) -> str:
    return notification.created_at.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{notification.created_at.microsecond // 1000:03d}Z"
    )


def mastodon_notification(notification: Notification, recipient: Actor) -> dict[str, Any]:
    account = _account(notification.actor)
    mention = MASTODON_TYPES[notification.type] == "mention"
    # A mention's status was written by the actor; a favourite's by the recipient.
    status = _status(notification, account if mention else _account(recipient))
    return {
        "id": str(notification.pk),
        "type": MASTODON_TYPES[notification.type],
        "group_key": notification.group_key,
        "created_at": _timestamp(notification),
        "account": account,
        "status": status,
    }


def _recipient(request: Request) -> Actor:
    found = Actor.objects.filter(pk=request.user.id).first()
    return found or Actor(id=request.user.id, username=request.user.username)


class NewestFirst(MastodonPagination):
    ordering = ("-id",)


class NotificationListView(MastodonView):
    """`types[]` and `exclude_types[]` in Mastodon's names; newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="mastodon_api_v1_notifications_list",
        responses={200: ENTITIES},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        wanted = set(MASTODON_TYPES)
        if types := list_param(request, "types"):
            wanted &= native_types(types)
        if excluded := list_param(request, "exclude_types"):
            wanted -= native_types(excluded)
        queryset = notification_queryset(recipient_id=request.user.id).filter(type__in=wanted)
        paginator = NewestFirst()
        page = paginator.paginate_queryset(queryset, request, view=self)
        recipient = _recipient(request)
        return paginator.get_paginated_response([mastodon_notification(n, recipient) for n in page])


class NotificationDetailView(MastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request, notification_id: str) -> Response:
        found = None
        if notification_id.isascii() and notification_id.isdigit() and len(notification_id) < 19:
            found = (
                notification_queryset(recipient_id=request.user.id)
                .filter(pk=int(notification_id))
                .first()
            )
        if found is None:
            raise NotFound("Record not found")
        return Response(mastodon_notification(found, _recipient(request)))


class NotificationClearView(MastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ENTITY}, tags=TAGS)
    def post(self, request: Request) -> Response:
        clear_notifications(user_id=request.user.id)
        return Response({})
