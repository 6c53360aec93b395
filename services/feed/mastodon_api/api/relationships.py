"""/mastodon/api/v1/accounts/{id}/(block|unblock|mute|unmute), /api/v1/blocks, /api/v1/mutes,
/api/v1/follow_requests and /follow_requests/{id}/(authorize|reject): the native writes of
blocks, mutes and follow requests (`actions.follows`, `relationships.services`) and their lists
(`relationships.selectors`), each answered as Mastodon does, with the Relationship after it."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from actions.follows import (
    accept_follow_request,
    block_user,
    reject_follow_request,
    unblock_user,
)
from mastodon_api.api.accounts import relationship
from mastodon_api.api.common import AccountPageView, FeedMastodonView, db_id
from relationships.models import Block, FollowRequest, Mute
from relationships.selectors import blocks_by, follow_requests_to, mutes_by
from relationships.services import mute_user, unmute_user
from shared.mastodon import ENTITY

TAGS = ["mastodon"]


class _RelationshipWrite(FeedMastodonView):
    """POST: the write on the account in the path, then the caller's Relationship with it."""

    permission_classes = [IsAuthenticated]

    def write(self, *, actor_id: int, other_id: int) -> None:
        raise NotImplementedError

    @extend_schema(request=None, responses={200: ENTITY}, tags=TAGS)
    def post(self, request: Request, account_id: str) -> Response:
        other_id = db_id(account_id)
        self.write(actor_id=request.user.id, other_id=other_id)
        return relationship(request, other_id)


class AccountBlockView(_RelationshipWrite):
    def write(self, *, actor_id: int, other_id: int) -> None:
        block_user(blocker_id=actor_id, blocked_id=other_id)


class AccountUnblockView(_RelationshipWrite):
    def write(self, *, actor_id: int, other_id: int) -> None:
        unblock_user(blocker_id=actor_id, blocked_id=other_id)


class AccountMuteView(_RelationshipWrite):
    """A mute takes the account out of the caller's home timeline (the native mute); Mastodon's
    `notifications` and `duration` have no native counterpart and are not read."""

    def write(self, *, actor_id: int, other_id: int) -> None:
        mute_user(muter_id=actor_id, muted_id=other_id)


class AccountUnmuteView(_RelationshipWrite):
    def write(self, *, actor_id: int, other_id: int) -> None:
        unmute_user(muter_id=actor_id, muted_id=other_id)


class FollowRequestAuthorizeView(_RelationshipWrite):
    """The requester follows the caller from now on (404 without a pending request)."""

    def write(self, *, actor_id: int, other_id: int) -> None:
        accept_follow_request(target_id=actor_id, requester_id=other_id)


class FollowRequestRejectView(_RelationshipWrite):
    def write(self, *, actor_id: int, other_id: int) -> None:
        reject_follow_request(target_id=actor_id, requester_id=other_id)


class BlockListView(AccountPageView):
    """The accounts the caller blocks, newest block first."""

    permission_classes = [IsAuthenticated]
    shown = "blocked_id"

    def rows(self, request: Request) -> QuerySet[Block]:
        return blocks_by(request.user.id)


class MuteListView(AccountPageView):
    """The accounts the caller mutes, newest mute first."""

    permission_classes = [IsAuthenticated]
    shown = "muted_id"

    def rows(self, request: Request) -> QuerySet[Mute]:
        return mutes_by(request.user.id)


class FollowRequestListView(AccountPageView):
    """The accounts asking to follow the caller, newest request first."""

    permission_classes = [IsAuthenticated]
    shown = "requester_id"

    def rows(self, request: Request) -> QuerySet[FollowRequest]:
        return follow_requests_to(request.user.id)
