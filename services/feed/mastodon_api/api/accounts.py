"""/mastodon/api/v1/accounts/...: accounts, their statuses and follows, relationships."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from actions.follows import follow_user, unfollow_user
from authors.api.callers import viewer_id
from authors.selectors import users_by_username
from authors.services import ensure_author_exists, fetch_users_by_username
from mastodon_api import entities
from mastodon_api.api.common import AccountPageView, FeedMastodonView, db_id
from posts.selectors import user_post_rows
from relationships.models import Follow
from relationships.visibility import explain_empty_list
from shared.mastodon import ENTITIES, ENTITY, MastodonPagination, list_param
from social.selectors import followed_by, followers_of

TAGS = ["mastodon"]


def _existing(raw: str) -> int:
    user_id = db_id(raw)
    if ensure_author_exists(user_id) is None:
        raise NotFound("Record not found")
    return user_id


class VerifyCredentialsView(FeedMastodonView):
    """The caller's own Account, with `source`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(entities.credential_account(request.user.id))


class AccountDetailView(FeedMastodonView):
    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request, account_id: str) -> Response:
        return Response(entities.account(_existing(account_id)))


class AccountLookupView(FeedMastodonView):
    """`?acct=username` (a local `username@host` is the same)."""

    @extend_schema(responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request) -> Response:
        acct = request.query_params.get("acct", "").strip().lstrip("@").split("@")[0].lower()
        if not acct or len(acct) > 30:
            raise NotFound("Record not found")
        known = users_by_username([acct])
        user = known[acct] if acct in known else fetch_users_by_username([acct]).get(acct)
        if user is None:
            raise NotFound("Record not found")
        return Response(entities.account(user["id"]))


class AccountStatusesView(FeedMastodonView):
    """The account's posts, newest first, as the native `GET /users/{id}/posts` reads them."""

    @extend_schema(responses={200: ENTITIES}, tags=TAGS)
    def get(self, request: Request, account_id: str) -> Response:
        user_id = db_id(account_id)
        paginator = MastodonPagination()
        rows = paginator.paginate(
            request,
            lambda cursor, limit: user_post_rows(
                user_id, viewer_id=viewer_id(request), cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(entities.statuses(rows))


class _FollowListView(AccountPageView):
    def follows(self, user_id: int) -> QuerySet[Follow]:
        raise NotImplementedError

    def rows(self, request: Request, account_id: str) -> QuerySet[Follow]:
        return self.follows(db_id(account_id))

    def explain_empty(self, request: Request, account_id: str) -> None:
        explain_empty_list(owner_id=db_id(account_id), viewer_id=viewer_id(request))


class AccountFollowersView(_FollowListView):
    shown = "follower_id"

    def follows(self, user_id: int) -> QuerySet[Follow]:
        return followers_of(user_id, viewer_id=viewer_id(self.request))


class AccountFollowingView(_FollowListView):
    shown = "followee_id"

    def follows(self, user_id: int) -> QuerySet[Follow]:
        return followed_by(user_id, viewer_id=viewer_id(self.request))


def relationship(request: Request, user_id: int) -> Response:
    return Response(entities.relationships(request.user.id, [user_id])[0])


class AccountFollowView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ENTITY}, tags=TAGS)
    def post(self, request: Request, account_id: str) -> Response:
        user_id = db_id(account_id)
        follow_user(follower_id=request.user.id, followee_id=user_id)
        return relationship(request, user_id)


class AccountUnfollowView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ENTITY}, tags=TAGS)
    def post(self, request: Request, account_id: str) -> Response:
        user_id = db_id(account_id)
        unfollow_user(follower_id=request.user.id, followee_id=user_id)
        return relationship(request, user_id)


class RelationshipsView(FeedMastodonView):
    """`?id[]=1&id[]=2`: the caller's Relationship with each (unknown ids are left out)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ENTITIES}, tags=TAGS)
    def get(self, request: Request) -> Response:
        ids = []
        for raw in list_param(request, "id")[:40]:
            try:
                ids.append(db_id(raw))
            except NotFound:
                continue
        return Response(entities.relationships(request.user.id, ids))
