"""Every write to accounts: sign-up, sign-in and sessions, profile edits, passwords, password
reset, email verification and change, avatars, deletion.

Each function that changes a user locks the user's row first (`_lock_user`). That lock orders
everything that happens to one account: token rotation against password changes and deletion,
and the account events (`accounts.events`), recorded in the transaction of the change.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import Token

from accounts import signin_limits, tokens
from accounts.avatars import generate_avatar_name, prepare_avatar
from accounts.events import (
    account_state,
    record_account_created,
    record_account_deleted,
    record_account_updated_if_changed,
    record_mail_requested,
    record_session_ended,
    record_sessions_ended,
)
from accounts.models import EMAIL_CI_UNIQUE, ClientApp, Session, User
from accounts.usernames import MESSAGE as RESERVED_MESSAGE, is_reserved
from mailer.models import MessageKind
from shared.tokens import AccessToken, RefreshToken, token_user_id

# Profile fields PUT/PATCH may change; anything else a client sends is ignored by the views.
EDITABLE_FIELDS = ("username", "name", "bio", "website", "is_private")

# Unique constraints, by the name Postgres gives them, and the field a client should fix when
# an insert loses a race that the up-front availability check could not see.
_UNIQUE_CONSTRAINT_FIELDS = {
    EMAIL_CI_UNIQUE: "email",
    "accounts_user_email_key": "email",
    "accounts_user_username_key": "username",
}

WRONG_CREDENTIALS = "No active account found with the given credentials"
INVALID_LINK_TOKEN = "This link is invalid or has expired, or it has been used already."  # noqa: S105
# A JWT of this service is ~400 bytes; anything far longer is not one of ours.
TOKEN_MAX_LENGTH = 4096
REUSED_REFRESH_TOKEN = "This refresh token was used already; its sign-in has ended, sign in again."  # noqa: S105


# --- Accounts ------------------------------------------------------------------------------


@transaction.atomic
def sign_up(*, email: str, username: str, password: str, name: str = "") -> User:
    """Create an account from the public sign-up form and mail it a verification link.

    The password must pass Django's validators and the username may not be a reserved one.
    """
    user = create_account(
        email=email,
        username=username,
        password=password,
        name=name,
        check_password=True,
        refuse_reserved=True,
    )
    _queue_verification(user)
    return user


@transaction.atomic
def create_account(
    *,
    email: str,
    username: str,
    password: str | None,
    check_password: bool = False,
    refuse_reserved: bool = False,
    **fields: Any,
) -> User:
    """Create a user (sign-up, `createsuperuser`, the admin's manager calls) and its event.

    Raises `ValidationError` keyed by field for an invalid or taken email or username, in any
    letter case, including when a concurrent sign-up takes it first; with `check_password`,
    also for a password Django's validators refuse, with `refuse_reserved` for a reserved
    username (`accounts.usernames`). Records `users.account.created`.
    """
    user = User(
        email=User.objects.normalize_email(email), username=(username or "").lower(), **fields
    )
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if refuse_reserved and "username" not in errors and is_reserved(user.username):
        errors["username"] = [RESERVED_MESSAGE]
    if check_password and password is not None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if not errors:
        errors.update(_unavailable(user))
    if errors:
        raise ValidationError(errors)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    _save(user)
    record_account_created(user)
    return user


def update_profile(*, user: User, changes: dict[str, Any]) -> User:
    """Apply `changes` (a subset of EDITABLE_FIELDS) to the user's profile and return it.

    `users.account.updated` is recorded only when what other services keep changes.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_user(user.pk)
        before = account_state(locked)
        for field, value in changes.items():
            setattr(locked, field, value.lower() if field == "username" else value)
        changed = [field for field in EDITABLE_FIELDS if field in changes]
        try:
            locked.full_clean(
                exclude=["password"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        renamed = "username" in changes and locked.username != before["username"]
        if renamed and is_reserved(locked.username) and not locked.is_staff:
            raise ValidationError({"username": [RESERVED_MESSAGE]})
        if "username" in changes:
            taken = _unavailable(locked, check_email=False)
            if taken:
                raise ValidationError(taken)
        if changed:
            _save(locked, update_fields=changed)
        record_account_updated_if_changed(locked, before)
    return locked


def record_admin_change(
    *,
    user: User,
    created: bool,
    before: dict[str, str | None] | None,
    was_active: bool = False,
) -> None:
    """The admin saved `user`: record the event a service function would have recorded.

    Call inside the admin's transaction, after the save; `before` is `account_state` of the row
    before the change, `was_active` its `is_active`. Deactivating an account ends every sign-in
    of it, as a password change does: its tokens are refused everywhere, not only here.
    """
    if created:
        record_account_created(user)
    elif before is not None:
        record_account_updated_if_changed(user, before)
    if was_active and not user.is_active:
        _end_all_sessions(user.pk)


def end_every_sign_in(*, user: User) -> None:
    """End every sign-in of `user` (the admin set a new password): its refresh tokens stop
    working at once and its access tokens are refused on every service."""
    with transaction.atomic():
        _lock_user(user.pk)
        _end_all_sessions(user.pk)


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    """Set a new password and revoke every refresh token issued before it."""
    with transaction.atomic():
        locked = _lock_user(user.pk)
        if not locked.check_password(old_password):
            raise ValidationError({"old_password": "Your old password was entered incorrectly."})
        try:
            validate_password(new_password, user=locked)
        except ValidationError as exc:
            raise ValidationError({"new_password": exc.messages}) from None
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        _end_all_sessions(locked.pk)


def delete_account(*, user: User, password: str) -> None:
    """Delete the caller's account after checking the password (see `remove_account`)."""
    with transaction.atomic():
        locked = _lock_user(user.pk)
        if not locked.check_password(password):
            raise ValidationError({"password": "Your password is incorrect."})
        _remove_locked(locked)


def remove_account(*, user: User) -> None:
    """Delete an account: its refresh tokens stop working at once, and the feed is told.

    `users.account.deleted` is recorded in the same transaction, so the deletion reaches the
    other services even if the broker or they are down right now. The avatar file goes after
    the commit.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().filter(pk=user.pk).first()
        if locked is not None:
            _remove_locked(locked)


def _remove_locked(user: User) -> None:
    avatar_name = user.avatar.name
    storage = user.avatar.storage
    _revoke_all_refresh_tokens(user.pk)
    record_account_deleted(user)
    user.delete()
    if avatar_name:
        transaction.on_commit(lambda: storage.delete(avatar_name))


# --- Avatars -------------------------------------------------------------------------------


def set_avatar(*, user: User, upload: UploadedFile) -> User:
    """Validate and store a new avatar, replace the old one and return the updated user.

    The new file is written before the transaction (file systems do not roll back) and
    removed again if the transaction fails; the old file is removed only after the commit,
    so a failure never leaves a profile pointing at a missing file.
    """
    prepared = prepare_avatar(upload)
    storage = User._meta.get_field("avatar").storage
    name = storage.save(generate_avatar_name(prepared.extension), File(prepared.content))
    try:
        with transaction.atomic():
            locked = _lock_user(user.pk)
            before = account_state(locked)
            old_name = locked.avatar.name
            locked.avatar.name = name
            locked.save(update_fields=["avatar"])
            record_account_updated_if_changed(locked, before)
            if old_name:
                transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        storage.delete(name)
        raise
    return locked


def remove_avatar(*, user: User) -> None:
    """Clear the avatar (nothing happens without one); the file goes after the commit."""
    with transaction.atomic():
        locked = _lock_user(user.pk)
        old_name = locked.avatar.name
        if not old_name:
            return
        storage = locked.avatar.storage
        before = account_state(locked)
        locked.avatar = ""
        locked.save(update_fields=["avatar"])
        record_account_updated_if_changed(locked, before)
        transaction.on_commit(lambda: storage.delete(old_name))


# --- Sign-in and sessions ------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """Where a sign-in or refresh comes from, as the session list shows it."""

    user_agent: str = ""
    ip: str | None = None


def obtain_token_pair(*, email: str, password: str, client: Client | None = None) -> dict[str, str]:
    """Sign in by email and password: a new session and its token pair.

    `AuthenticationFailed` (401) on wrong credentials, with the same body and about the same
    cost for an unknown email (Django's backend hashes the password anyway); `SignInLocked`
    (429) once the email has failed too often (`accounts.signin_limits`).
    """
    user = _check_password(email=email, password=password)
    with transaction.atomic():
        locked = _lock_signed_in(user)
        return issue_token_pair(locked, session=_start_session(locked, client or Client()))


def _check_password(*, email: str, password: str) -> User:
    """The account `email` and `password` sign in to, within the per-email limit (every way of
    signing in with a password goes through here)."""
    signin_limits.reserve_attempt(email)
    user = authenticate(None, email=email, password=password)
    if user is None:
        raise AuthenticationFailed(WRONG_CREDENTIALS, code="no_active_account")
    signin_limits.attempt_succeeded(email)
    return user


def _lock_signed_in(user: User) -> User:
    """The row of a user `_check_password` let in, locked; call inside the issuing transaction."""
    locked = User.objects.select_for_update().filter(pk=user.pk, is_active=True).first()
    # A password change that committed after the check revokes every token issued before it;
    # a token issued now on the strength of the old password would escape that.
    if locked is None or locked.password != user.password:
        raise AuthenticationFailed(WRONG_CREDENTIALS, code="no_active_account")
    return locked


def _claims(token: Token, user: User, session: Session) -> None:
    """The claims every token of a session carries: the feed renders authors from `username`,
    moderation reads `is_staff`, `REQUIRE_VERIFIED_EMAIL` reads `email_verified`, and `sid`
    names the session (the session list marks the caller's; ending it ends the token)."""
    token["username"] = user.username
    token["is_staff"] = user.is_staff
    token["email_verified"] = user.email_verified
    token["sid"] = session.pk


def issue_token_pair(user: User, *, session: Session | None = None) -> dict[str, str]:
    """A new refresh token (recorded as outstanding) of `session` and its access token.

    Without a session, one is started (a sign-in by other means than the password, tests).
    The claims are copied into the access token: the feed renders authors from `username`,
    moderation reads `is_staff`, `REQUIRE_VERIFIED_EMAIL` reads `email_verified` there, and
    `sid` marks the caller's session in the session list.
    """
    if session is None:
        with transaction.atomic():
            session = _start_session(user, Client())
    refresh = RefreshToken.for_user(user)
    _claims(refresh, user, session)
    # The session lasts as long as its newest refresh token.
    Session.objects.filter(pk=session.pk).update(expires_at=_expiry(refresh))
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def rotate_refresh_token(*, raw: str, client: Client | None = None) -> dict[str, str]:
    """Exchange a refresh token for a new pair of the same session; the old one is blacklisted.

    simplejwt 5.5.1's own serializer checks the blacklist, then blacklists later, so two
    refreshes of one token at the same moment both succeed; and it answers 500 when the
    token's user is gone. Here the user's row and the token's row are locked first, the
    blacklist entry is written in the same transaction (its unique key backs the lock up), and
    a missing or inactive user, or an ended session, is an `InvalidToken` (401). New tokens
    carry the user's current claims, not the old token's. A token from before sessions existed
    (no `sid`) starts one.

    A token that was rotated already, presented again, means two parties hold the sign-in's
    tokens, and the server cannot tell which is the thief (RFC 9700, 4.14.2): the whole
    session ends, the chain that grew from the token included, and the answer is 401.
    """
    token = _decode_refresh(raw)
    user_id = _token_user_id(token)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            raise InvalidToken("No active account found for the given token.")
        sid = token.get("sid")
        session = None if sid is None else _live_session(user_id=user.pk, sid=sid)
        if _spend(token):
            if session is None:
                session = _start_session(user, client or Client())
            # The session keeps the user agent and address it signed in with.
            session.last_used_at = timezone.now()
            session.save(update_fields=["last_used_at"])
            return issue_token_pair(user, session=session)
        if session is not None:
            _end_session(session)
    raise InvalidToken(REUSED_REFRESH_TOKEN)


def revoke_refresh_token(*, raw: str) -> None:
    """Log out: blacklist `raw` and end its session; `InvalidToken` (401) when it is invalid
    or spent already. A token rotated already ends its session all the same (as a refresh
    with it would), and is a 401. An unspent token whose sign-in ended already (revoked from
    the session list, or by a reuse of an older token of its chain) has nothing left to end:
    it is spent and the logout succeeds, as RFC 7009 answers the revocation of a token that is
    no longer valid."""
    token = _decode_refresh(raw)
    with transaction.atomic():
        sid = token.get("sid")
        session = None
        if sid is not None:
            session = (
                Session.objects.select_for_update()
                .filter(pk=sid, user_id=_token_user_id(token))
                .first()
            )
        spent_now = _spend(token)
        if session is not None:
            _end_session(session)
    if not spent_now:
        raise InvalidToken(REUSED_REFRESH_TOKEN)


def end_session(*, user: User, session_id: int) -> None:
    """End one of the user's sessions: its tokens stop working everywhere. `NotFound` (404)."""
    with transaction.atomic():
        session = (
            Session.objects.select_for_update()
            .filter(pk=session_id, user_id=user.pk, expires_at__gt=timezone.now())
            .first()
        )
        if session is None:
            raise NotFound("No such session.")
        _end_session(session)


def _start_session(user: User, client: Client) -> Session:
    now = timezone.now()
    user_agent, ip = _client_fields(client)
    # `expires_at` is set from the first refresh token, moments later (issue_token_pair).
    return Session.objects.create(
        user=user, last_used_at=now, expires_at=now, user_agent=user_agent, ip=ip
    )


def _live_session(*, user_id: int, sid: int) -> Session:
    # `sid` is a database id: shared.tokens checked the claim before anything read it.
    session = (
        Session.objects.select_for_update()
        .filter(pk=sid, user_id=user_id, expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        raise InvalidToken("This session has ended; sign in again.")
    return session


def _client_fields(client: Client) -> tuple[str, str | None]:
    return client.user_agent[: Session.USER_AGENT_MAX_LENGTH], client.ip


def _expiry(refresh: RefreshToken) -> datetime:
    return datetime.fromtimestamp(refresh["exp"], tz=UTC)


def _end_session(session: Session) -> None:
    """The sign-in ends: its refresh tokens here at once (rotation needs the row), its access
    tokens here at once and on the other services once they apply the event."""
    record_session_ended(session)
    session.delete()


def _end_all_sessions(user_id: int) -> None:
    """Every sign-in of the user ends: sessions deleted, every refresh token blacklisted, and
    one event ends their access tokens everywhere (session ids only grow, so one cutoff says
    it; a sign-in made afterwards is above it)."""
    sessions = Session.objects.filter(user_id=user_id)
    ended = sessions.aggregate(through=Max("id"), expires_at=Max("expires_at"))
    # A token without a sid (from before sessions) lasts its own lifetime at most.
    last_expiry = timezone.now() + jwt_settings.ACCESS_TOKEN_LIFETIME
    if ended["expires_at"] is not None:
        last_expiry = max(last_expiry, ended["expires_at"])
    record_sessions_ended(
        user_id=user_id, through_session_id=ended["through"] or 0, expires_at=last_expiry
    )
    sessions.delete()
    _revoke_all_refresh_tokens(user_id)


# --- Client apps and their tokens (the Mastodon-compatible API, docs/mastodon.md) ------------


def register_app(
    *, name: str, redirect_uris: str = "", scopes: str = "read", website: str = ""
) -> tuple[ClientApp, str]:
    """A new client app and its secret (shown this once; only its digest is kept)."""
    secret = secrets.token_urlsafe(32)
    app = ClientApp.objects.create(
        name=name,
        redirect_uris=redirect_uris,
        scopes=scopes,
        website=website,
        client_id=secrets.token_urlsafe(32),
        secret_digest=_digest(secret),
    )
    return app, secret


def authenticate_app(*, client_id: str, client_secret: str) -> ClientApp:
    """The app the credentials name; `AuthenticationFailed` (401) unless they match."""
    app = ClientApp.objects.filter(client_id=client_id[:64]).first()
    if app is None or not hmac.compare_digest(app.secret_digest, _digest(client_secret)):
        raise AuthenticationFailed("Client authentication failed.", code="invalid_client")
    return app


def obtain_app_token(
    *, app: ClientApp, email: str, password: str, client: Client | None = None
) -> AccessToken:
    """The password grant: a session of `app` and its one long-lived access token.

    The same password check and per-email limit as `obtain_token_pair`; the token is an access
    token like any other (every service takes it), valid for `APP_TOKEN_LIFETIME` unless its
    session ends first (`revoke_app_token`, the session list, a password change).
    """
    user = _check_password(email=email, password=password)
    with transaction.atomic():
        locked = _lock_signed_in(user)
        session = _start_session(locked, client or Client())
        token = AccessToken.for_user(locked)
        token.set_exp(lifetime=settings.APP_TOKEN_LIFETIME)
        _claims(token, locked, session)
        session.app = app
        session.expires_at = datetime.fromtimestamp(token["exp"], tz=UTC)
        session.save(update_fields=["app", "expires_at"])
    return token


def revoke_app_token(*, app: ClientApp, raw: str) -> None:
    """End the session of an access token `app` was issued; anything else changes nothing (RFC
    7009: the answer is the same whether the token was valid or not)."""
    if len(raw) > TOKEN_MAX_LENGTH:
        return
    try:
        # The signature and every claim, as every service checks them.
        token = AccessToken(raw)
    except TokenError:
        return
    sid = token.get("sid")
    if sid is None:
        return
    with transaction.atomic():
        session = (
            Session.objects.select_for_update()
            .filter(pk=sid, user_id=token_user_id(token.payload), app=app)
            .first()
        )
        if session is not None:
            _end_session(session)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- Password reset, email verification and change -----------------------------------------


def request_password_reset(*, email: str) -> None:
    """Mail a reset link when an active account has `email` (in any case); else do nothing.

    The caller answers the same either way: nobody learns from it who has an account.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    with transaction.atomic():
        locked = _lock_user(user.pk)
        record_mail_requested(locked, kind=MessageKind.PASSWORD_RESET, to=locked.email)


def reset_password(*, uid: str, token: str, new_password: str) -> None:
    """Set a new password from a reset link; every session ends.

    `ValidationError` on `token` for a link that is invalid, expired or used (the token dies
    with the password it was made for), on `new_password` for one the validators refuse.
    Following the link proved the address, so it counts as verified.
    """
    user_id = tokens.user_id_from_reset_uid(uid)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None or not tokens.password_reset_token_is_valid(user, token):
            raise ValidationError({"token": [INVALID_LINK_TOKEN]})
        try:
            validate_password(new_password, user=user)
        except ValidationError as exc:
            raise ValidationError({"new_password": exc.messages}) from None
        user.set_password(new_password)
        user.email_verified = True
        user.save(update_fields=["password", "email_verified"])
        _end_all_sessions(user.pk)


def verify_email(*, token: str) -> None:
    """Mark the address a verification link was sent to as verified; once per address.

    `ValidationError` on `token` when it is invalid or expired, or the account has verified
    or changed its address since.
    """
    claim = tokens.read_email_verification_token(token)
    with transaction.atomic():
        user = _lock_claimed_user(claim)
        if user.email != claim.email or user.email_verified:
            raise ValidationError({"token": [INVALID_LINK_TOKEN]})
        user.email_verified = True
        user.save(update_fields=["email_verified"])


def resend_email_verification(*, user: User) -> None:
    """Mail a new verification link, unless the address is verified already."""
    with transaction.atomic():
        locked = _lock_user(user.pk)
        if not locked.email_verified:
            _queue_verification(locked)


def request_email_change(*, user: User, new_email: str, password: str) -> None:
    """Mail a confirmation link to `new_email`; the address changes only once it is followed.

    `ValidationError` on `password` when it is wrong, on `new_email` when it is the current
    address or another account's (in any case).
    """
    new_email = User.objects.normalize_email(new_email.strip())
    with transaction.atomic():
        locked = _lock_user(user.pk)
        if not locked.check_password(password):
            raise ValidationError({"password": ["Your password is incorrect."]})
        if new_email.lower() == locked.email.lower():
            raise ValidationError({"new_email": ["That is already your email address."]})
        if _email_taken(new_email, by_other_than=locked):
            raise ValidationError({"new_email": [_EMAIL_TAKEN]})
        record_mail_requested(
            locked, kind=MessageKind.EMAIL_CHANGE, to=new_email, data={"new_email": new_email}
        )


def confirm_email_change(*, token: str) -> None:
    """Change the address to the one a confirmation link was sent to; it is verified by that.

    The old address gets a notice. `ValidationError` on `token` when it is invalid, expired or
    used (the account is no longer on the address it was issued for), on `email` when another
    account took the new address meanwhile.
    """
    claim = tokens.read_email_change_token(token)
    with transaction.atomic():
        user = _lock_claimed_user(claim)
        if user.email != claim.old_email:
            raise ValidationError({"token": [INVALID_LINK_TOKEN]})
        if _email_taken(claim.email, by_other_than=user):
            raise ValidationError({"email": [_EMAIL_TAKEN]})
        old_email = user.email
        user.email = claim.email
        user.email_verified = True
        _save(user, update_fields=["email", "email_verified"])
        record_mail_requested(
            user, kind=MessageKind.EMAIL_CHANGED, to=old_email, data={"new_email": user.email}
        )


def _queue_verification(user: User) -> None:
    """Call inside the transaction that created the account or holds its row lock."""
    record_mail_requested(user, kind=MessageKind.EMAIL_VERIFICATION, to=user.email)


def _lock_claimed_user(claim: tokens.EmailClaim | None) -> User:
    user = (
        User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
        if claim is not None and 0 < claim.user_id < 2**63
        else None
    )
    if user is None:
        raise ValidationError({"token": [INVALID_LINK_TOKEN]})
    return user


_EMAIL_TAKEN = User._meta.get_field("email").error_messages["unique"]


def _email_taken(email: str, *, by_other_than: User) -> bool:
    return User.objects.exclude(pk=by_other_than.pk).filter(email__iexact=email).exists()


# --- Tokens --------------------------------------------------------------------------------


class _PresentedRefreshToken(RefreshToken):
    """A refresh token decoded without simplejwt's blacklist check: `_spend` checks it under
    the token's lock, where a rotated token presented again can be told from a fresh one."""

    def check_blacklist(self) -> None:
        return


def _decode_refresh(raw: str) -> RefreshToken:
    if len(raw) > TOKEN_MAX_LENGTH:
        # Not one of ours, and not worth decoding.
        raise InvalidToken("Token is invalid or expired")
    try:
        # Checks signature, expiry, type, issuer and audience.
        return _PresentedRefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc


def _token_user_id(token: RefreshToken) -> int:
    try:
        return token_user_id(token.payload)
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from exc


def _spend(token: RefreshToken) -> bool:
    """Blacklist `token` exactly once; False when it was blacklisted already (spent before).

    Call inside a transaction: the outstanding row stays locked to the commit, so of two
    requests with one token exactly one spends it.
    """
    outstanding = (
        OutstandingToken.objects.select_for_update()
        .filter(jti=token[jwt_settings.JTI_CLAIM])
        .first()
    )
    # Every refresh token this service issues is recorded as outstanding.
    if outstanding is None:
        raise InvalidToken("Token is invalid or expired")
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        return False
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        return False
    return True


def _revoke_all_refresh_tokens(user_id: int) -> None:
    """Blacklist every unexpired refresh token of the user, in one statement."""
    outstanding = OutstandingToken._meta.db_table
    blacklisted = BlacklistedToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {blacklisted} (token_id, blacklisted_at)
            SELECT id, now() FROM {outstanding}
            WHERE user_id = %s AND expires_at > now()
            ON CONFLICT (token_id) DO NOTHING
            """,  # noqa: S608 - table names come from model metadata, the value is a parameter
            [user_id],
        )


# --- Helpers -------------------------------------------------------------------------------


def _lock_user(user_id: int) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        # The account was deleted while this request was on its way.
        raise AuthenticationFailed("User not found", code="user_not_found")
    return user


def _unavailable(user: User, *, check_email: bool = True) -> dict[str, list[str]]:
    """Field errors for an email or username another account already has, in any case."""
    others = User.objects.exclude(pk=user.pk) if user.pk else User.objects.all()
    errors = {}
    if check_email and others.filter(email__iexact=user.email).exists():
        errors["email"] = [User._meta.get_field("email").error_messages["unique"]]
    if others.filter(username=user.username).exists():
        errors["username"] = [User._meta.get_field("username").error_messages["unique"]]
    return errors


def _save(user: User, **kwargs: Any) -> None:
    """Save `user`; a unique violation from a concurrent write becomes a field error (400)."""
    try:
        with transaction.atomic():
            user.save(**kwargs)
    except IntegrityError as exc:
        diag = getattr(exc.__cause__, "diag", None)
        field = _UNIQUE_CONSTRAINT_FIELDS.get(getattr(diag, "constraint_name", None) or "")
        if field is None:
            raise
        message = User._meta.get_field(field).error_messages["unique"]
        raise ValidationError({field: [message]}) from exc
