"""The users service's internal API, as the feed calls it: short timeouts, bounded retries.

One module-level `requests.Session` keeps connections to the users service open between calls
(gunicorn workers are processes; within one, the session's pool is thread-safe for these GETs).
Every failure to get an answer (connection refused, timeout, 5xx, a malformed body) becomes
`UsersServiceUnavailable`, a JSON 503: the caller never hangs and never sees a 500.
"""

import logging
from collections.abc import Iterable
from typing import Any, TypedDict

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared.errors import ServiceUnavailable
from shared.logging import request_id_headers
from shared.permissions import INTERNAL_TOKEN_HEADER

logger = logging.getLogger(__name__)

# The internal bulk endpoint answers at most this many ids per call.
MAX_IDS_PER_CALL = 100


class UserSummary(TypedDict):
    id: int
    username: str | None
    avatar_url: str | None


class UsersServiceUnavailable(ServiceUnavailable):
    default_detail = "users service unreachable"


class SignInRefused(Exception):
    """The users service refused the email and password (wrong, or no such account)."""


class SignInLimited(Exception):
    """The users service limits sign-ins for now (per email, or per client); `wait` seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


def _build_session() -> requests.Session:
    # Retry only what is safe and likely transient: failed connects and the gateway-ish 5xx
    # codes, twice, with a short backoff. A read timeout is not retried: the caller's time
    # budget is already spent by then.
    retry = Retry(
        total=2,
        connect=2,
        read=0,
        status=2,
        other=0,
        backoff_factor=0.1,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=10)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


session = _build_session()


def _get(path: str, params: dict[str, str] | None = None) -> requests.Response:
    url = settings.USERS_SERVICE_URL.rstrip("/") + path
    try:
        response = session.get(
            url,
            params=params,
            headers={INTERNAL_TOKEN_HEADER: settings.INTERNAL_API_TOKEN, **request_id_headers()},
            timeout=settings.USERS_SERVICE_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        logger.warning("users service unreachable", extra={"url": url, "error": str(exc)})
        raise UsersServiceUnavailable() from exc
    if response.status_code >= 500:
        logger.warning("users service failed", extra={"url": url, "status": response.status_code})
        raise UsersServiceUnavailable()
    return response


def _summary(raw: Any) -> UserSummary:
    """Check one user object from the users service; a malformed one is the service's fault."""
    if not isinstance(raw, dict):
        raise ValueError("user is not an object")
    user_id, username, avatar_url = raw.get("id"), raw.get("username"), raw.get("avatar_url")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise ValueError("bad id")
    if not isinstance(username, str) or not username:
        raise ValueError("bad username")
    if avatar_url is not None and not isinstance(avatar_url, str):
        raise ValueError("bad avatar_url")
    return {"id": user_id, "username": username, "avatar_url": avatar_url or None}


def _json(response: requests.Response) -> Any:
    if response.status_code != 200:
        # 401/403 mean the two services disagree on INTERNAL_API_TOKEN: an operator's problem,
        # and to the client just as much an outage as a refused connection.
        logger.error(
            "users service refused the request",
            extra={"url": response.url, "status": response.status_code},
        )
        raise UsersServiceUnavailable()
    try:
        return response.json()
    except ValueError as exc:
        logger.error("users service sent a body that is not JSON", extra={"url": response.url})
        raise UsersServiceUnavailable() from exc


def get_user(user_id: int) -> UserSummary | None:
    """Return the user's summary, or None when the users service says there is no such user.

    Raises `UsersServiceUnavailable` when it cannot say.
    """
    response = _get(f"/internal/v1/users/{int(user_id)}")
    if response.status_code == 404:
        return None
    body = _json(response)
    try:
        user = _summary(body)
    except ValueError as exc:
        logger.error("users service sent a malformed user", extra={"error": str(exc)})
        raise UsersServiceUnavailable() from exc
    if user["id"] != user_id:
        logger.error("users service answered for another user", extra={"asked": user_id})
        raise UsersServiceUnavailable()
    return user


def _user_lists(path: str, param: str, values: list[str]) -> list[UserSummary]:
    """The users a bulk look-up at `path` answers for `values`, asked 100 at a time."""
    users: list[UserSummary] = []
    for start in range(0, len(values), MAX_IDS_PER_CALL):
        chunk = values[start : start + MAX_IDS_PER_CALL]
        body = _json(_get(path, {param: ",".join(chunk)}))
        try:
            results = body["results"]
            if not isinstance(results, list):
                raise ValueError("results is not a list")
            users += [_summary(raw) for raw in results]
        except (KeyError, TypeError, ValueError) as exc:
            logger.error("users service sent a malformed user list", extra={"error": str(exc)})
            raise UsersServiceUnavailable() from exc
    return users


def get_users(user_ids: Iterable[int]) -> dict[int, UserSummary]:
    """Return the summaries of those of `user_ids` that exist, keyed by id.

    One call per 100 ids. Raises `UsersServiceUnavailable` when the users service cannot answer.
    """
    wanted = sorted({int(user_id) for user_id in user_ids})
    users = _user_lists("/internal/v1/users", "ids", [str(user_id) for user_id in wanted])
    asked = set(wanted)
    # Ignore anything we did not ask for rather than cache it.
    return {user["id"]: user for user in users if user["id"] in asked}


def get_users_by_username(usernames: Iterable[str]) -> dict[str, UserSummary]:
    """Return the summaries of the users whose usernames (compared lower-case) are among
    `usernames`, keyed by username.

    One call per 100 names. Raises `UsersServiceUnavailable` when the users service cannot
    answer.
    """
    wanted = sorted({name.lower() for name in usernames})
    users = _user_lists("/internal/v1/users/by-username", "usernames", wanted)
    asked = set(wanted)
    return {user["username"]: user for user in users if user["username"] in asked}


# Shown in the staff member's list of sign-ins (GET /api/v1/users/me/sessions).
SIGN_IN_USER_AGENT = "feed-admin (the feed service's Django admin)"


def sign_in_staff(*, email: str, password: str) -> str:
    """The access token of a sign-in by `email` and `password` in the users service (its
    internal twin of `POST /api/v1/auth/token`, with the same per-email limit): the feed
    never checks a password itself.

    Raises `SignInRefused`, `SignInLimited`, or `UsersServiceUnavailable` when it cannot say.
    Not retried: a sign-in counts against the limits each time it is tried.
    """
    url = settings.USERS_SERVICE_URL.rstrip("/") + "/internal/v1/staff/sign-in"
    try:
        response = session.post(
            url,
            json={"email": email, "password": password},
            headers={
                INTERNAL_TOKEN_HEADER: settings.INTERNAL_API_TOKEN,
                "User-Agent": SIGN_IN_USER_AGENT,
                **request_id_headers(),
            },
            timeout=settings.USERS_SERVICE_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        logger.warning("users service unreachable", extra={"url": url, "error": str(exc)})
        raise UsersServiceUnavailable() from exc
    if response.status_code in (400, 401):
        raise SignInRefused()
    if response.status_code == 429:
        retry_after = response.headers.get("Retry-After", "")
        raise SignInLimited(int(retry_after) if retry_after.isdigit() else 60)
    body = _json(response)
    access = body.get("access") if isinstance(body, dict) else None
    if not isinstance(access, str) or not access:
        logger.error("users service sent no access token", extra={"url": url})
        raise UsersServiceUnavailable()
    return access
