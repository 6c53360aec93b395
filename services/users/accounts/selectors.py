"""Every read of accounts: profiles by id and username, prefix search, sessions, internal
look-ups."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from rest_framework.exceptions import NotFound

from accounts.models import NAME_MAX_LENGTH, USERNAME_MAX_LENGTH, Session, User
from blocks.selectors import blocks_viewer

# Columns the profile shapes need; the password hash and permissions stay in the database.
PROFILE_COLUMNS = (
    "id",
    "username",
    "email",
    "email_verified",
    "name",
    "bio",
    "website",
    "avatar",
    "date_joined",
    "is_private",
)


def public_users(*, viewer_id: int | None = None) -> QuerySet[User]:
    """The base queryset of every public read: accounts that are active, without those that
    block `viewer_id` (the contract: a blocked user gets 404 for the blocker's profile and
    never finds it in search; the blocker still sees theirs). Anonymous: `viewer_id` None."""
    users = User.objects.filter(is_active=True).only(*PROFILE_COLUMNS)
    if viewer_id is None:
        return users
    return users.filter(~blocks_viewer(viewer_id))


def get_public_user(*, user_id: int, viewer_id: int | None = None) -> User:
    """An active user's profile by id, as `viewer_id` may see it; `NotFound` (404) otherwise."""
    user = public_users(viewer_id=viewer_id).filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def get_public_user_by_username(*, username: str, viewer_id: int | None = None) -> User:
    """An active user's profile by username, in any letter case, as `viewer_id` may see it;
    `NotFound` (404) otherwise."""
    # Usernames are stored lower-case, so an exact match on the lowered input uses the
    # unique index.
    if len(username) > USERNAME_MAX_LENGTH:
        raise NotFound("No such user.")
    user = public_users(viewer_id=viewer_id).filter(username=username.lower()).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def search_users(*, query: str, viewer_id: int | None = None) -> QuerySet[User]:
    """Active users whose username or name starts with `query`, in any letter case, without
    those that block `viewer_id`.

    A blank query lists every active user (the caller paginates). Both branches are plain
    prefix `LIKE`s on lower-case values, which the `varchar_pattern_ops` indexes on
    `username` and on `lower(name)` serve; Django escapes `%` and `_` in `query`.
    """
    query = query.strip().lower()
    users = public_users(viewer_id=viewer_id)
    if not query:
        return users
    if len(query) > max(USERNAME_MAX_LENGTH, NAME_MAX_LENGTH):
        return users.none()
    return users.alias(name_lower=Lower("name")).filter(
        Q(username__startswith=query) | Q(name_lower__startswith=query)
    )


def user_summaries(*, user_ids: Iterable[int]) -> list[User]:
    """The users among `user_ids` that exist (active or not), in the order asked, once each.

    For the feed service, which renders content of every existing account.
    """
    wanted = list(dict.fromkeys(user_ids))
    found = User.objects.only("id", "username", "avatar").in_bulk(wanted)
    return [found[user_id] for user_id in wanted if user_id in found]


def user_summaries_by_username(*, usernames: Iterable[str]) -> list[User]:
    """The users (active or not) whose usernames are among `usernames` (lower-case, as stored).

    For the feed service, which resolves the `@username`s of what users write.
    """
    return list(User.objects.only("id", "username", "avatar").filter(username__in=set(usernames)))


def get_user_summary(*, user_id: int) -> User:
    """One existing user (active or not) for the feed service; `NotFound` (404) otherwise."""
    user = User.objects.only("id", "username", "avatar").filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def list_sessions(*, user: User) -> QuerySet[Session]:
    """The user's sessions that have not ended (the caller paginates, newest first)."""
    return Session.objects.filter(user_id=user.pk, expires_at__gt=timezone.now())
