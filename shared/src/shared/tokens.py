"""The one check of a signed token's claims, for every service and both kinds of token.

A correct signature proves who signed a token, not that what they signed is sane: simplejwt
and PyJWT take `exp` as any number (an enormous one overflows `datetime` into a 500) and hand
`user_id` on as whatever JSON held (`true`, `1.5`, `" 7"` and a full-width 7 all pass `int()`, and a
database lookup would find user 1 or 7). Here every claim a service reads has one type and
range, checked before anything else reads it; anything else is a `TokenError`, which simplejwt
answers `401` like any other invalid token. `simple_jwt_settings` makes `AccessToken` the class
every authentication backend uses; the users service decodes refresh tokens with
`RefreshToken`.
"""

import re
from typing import Any, ClassVar

import jwt
from jwt.algorithms import HMACAlgorithm
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.utils import aware_utcnow

from shared.ids import is_db_id

# Unix times a `datetime` can hold (up to 9999-12-31T23:59:59Z); a token needs no more.
MAX_EPOCH = 253_402_300_799
# simplejwt writes `user_id` as the id's decimal digits; one spelling per id, nothing else.
USER_ID_PATTERN = re.compile(r"[1-9][0-9]{0,18}")
MAX_JTI_LENGTH = 255
MAX_USERNAME_LENGTH = 150
MALFORMED = "Token has a malformed claim"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _epoch(payload: dict[str, Any], claim: str, *, required: bool) -> None:
    if claim not in payload:
        if required:
            raise TokenError(f"Token has no '{claim}' claim")
        return
    value = payload[claim]
    if not _is_int(value) or not 0 <= value <= MAX_EPOCH:
        raise TokenError(f"Token '{claim}' claim is malformed")


def token_user_id(payload: dict[str, Any]) -> int:
    """The `user_id` claim as a database id; `TokenError` unless it is one, spelt canonically."""
    raw = payload.get("user_id")
    if isinstance(raw, str) and USER_ID_PATTERN.fullmatch(raw):
        user_id = int(raw)
    elif _is_int(raw):
        user_id = raw
    else:
        raise TokenError("Token contained no recognizable user identification")
    if not is_db_id(user_id):
        raise TokenError("Token contained no recognizable user identification")
    return user_id


def check_claims(payload: dict[str, Any]) -> None:
    """Raise `TokenError` unless every claim a service reads has its type and range."""
    _epoch(payload, "exp", required=True)
    _epoch(payload, "iat", required=True)
    _epoch(payload, "nbf", required=False)
    token_user_id(payload)
    for claim, limit in (("jti", MAX_JTI_LENGTH), ("token_type", 20)):
        value = payload.get(claim)
        if not isinstance(value, str) or not 0 < len(value) <= limit:
            raise TokenError(f"Token '{claim}' claim is malformed")
    username = payload.get("username", "")
    if not isinstance(username, str) or len(username) > MAX_USERNAME_LENGTH:
        raise TokenError("Token 'username' claim is malformed")
    for claim in ("is_staff", "email_verified"):
        if not isinstance(payload.get(claim, False), bool):
            raise TokenError(f"Token '{claim}' claim is malformed")
    # The sign-in (users' Session) a token belongs to; tokens from before sessions have none.
    sid = payload.get("sid")
    if sid is not None and not (_is_int(sid) and is_db_id(sid)):
        raise TokenError("Token 'sid' claim is malformed")


class HMACKeyCheckedOnce(HMACAlgorithm):
    """PyJWT's HMAC, which checks each key once rather than on every token.

    PyJWT 2.15 checks the key of every `decode` afresh (not empty, not a PEM, SSH or DER key,
    not a JSON document), parsing it four ways: about half of what verifying an access token
    cost, on every authenticated request, for a key that is one per deployment. The verdict
    is the same each time, so it is kept for the few distinct keys a process meets; a key it
    refuses is refused every time, as before.
    """

    MAX_KEYS = 8

    def __init__(self, hash_alg: Any) -> None:
        super().__init__(hash_alg)
        self._prepared: dict[str | bytes, bytes] = {}

    def prepare_key(self, key: str | bytes) -> bytes:
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = super().prepare_key(key)
            if len(self._prepared) < self.MAX_KEYS:
                self._prepared[key] = prepared
        return prepared


# simplejwt verifies (and signs) through PyJWT's module-level functions, whose algorithms are
# one registry per process: HS256, the algorithm of `shared.jwt`, is replaced there, once, by
# the first import of the token classes every service names in AUTH_TOKEN_CLASSES.
if not isinstance(jwt.get_algorithm_by_name("HS256"), HMACKeyCheckedOnce):
    jwt.unregister_algorithm("HS256")
    jwt.register_algorithm("HS256", HMACKeyCheckedOnce(HMACAlgorithm.SHA256))


class CheckedClaims(tokens.Token):
    """A token whose claims pass `check_claims` before simplejwt's own checks read them."""

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        try:
            super().__init__(token, verify=verify)
        except (OverflowError, ValueError, TypeError) as exc:
            # PyJWT's `int(exp)` overflows on 1e400 (JSON's infinity) before we see the claims.
            raise TokenError(MALFORMED) from exc

    def verify(self) -> None:
        check_claims(self.payload)
        super().verify()


class AccessToken(CheckedClaims, tokens.AccessToken):
    """The access token every service accepts (`AUTH_TOKEN_CLASSES`).

    A client sends the same token with every request until it expires, so a process keeps the
    claims of the tokens whose signature it verified (up to `MAX_DECODED`), and a later request
    with the same bytes runs `verify()` alone: every claim check again, the expiry against the
    clock included. What it skips can only give the same answer for the same bytes (the HMAC,
    the issuer and audience); what time changes (`exp`) is checked each time, and what time
    only makes truer (`iat` and `nbf` not in the future) was checked when the token was new.
    """

    MAX_DECODED = 4096
    _decoded: ClassVar[dict[Any, dict[str, Any]]] = {}

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        claims = self._decoded.get(token) if token is not None and verify else None
        if claims is None:
            super().__init__(token, verify=verify)
            if token is not None and verify:
                if len(self._decoded) >= self.MAX_DECODED:
                    self._decoded.clear()
                self._decoded[token] = dict(self.payload)
            return
        self.token = token
        self.current_time = aware_utcnow()
        self.payload = dict(claims)
        self.verify()


class RefreshToken(CheckedClaims, tokens.RefreshToken):
    """The users service's refresh token; its access tokens are `AccessToken`s."""

    access_token_class = AccessToken
