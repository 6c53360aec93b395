"""What verifying an access token costs, and that it refuses what it refused before: PyJWT's
HMAC key check runs once per key (shared.tokens.HMACKeyCheckedOnce)."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from jwt.algorithms import HMACAlgorithm
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken as SimpleAccessToken

from shared.tokens import AccessToken, HMACKeyCheckedOnce


def test_hs256_checks_each_key_once(monkeypatch):
    algorithm = jwt.get_algorithm_by_name("HS256")
    assert isinstance(algorithm, HMACKeyCheckedOnce)
    checked = []
    original = HMACAlgorithm.prepare_key
    monkeypatch.setattr(
        HMACAlgorithm, "prepare_key", lambda self, key: checked.append(key) or original(self, key)
    )
    algorithm._prepared.clear()
    token = str(SimpleAccessToken.for_user(type("U", (), {"id": 7})()))
    for _ in range(3):
        assert AccessToken(token)["user_id"] == "7"
    assert len(checked) == 1


def test_a_key_it_refuses_is_refused_every_time():
    pem = b"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"
    algorithm = HMACKeyCheckedOnce(HMACAlgorithm.SHA256)
    for _ in range(2):
        with pytest.raises(jwt.InvalidKeyError):
            algorithm.prepare_key(pem)


def test_a_token_signed_with_another_key_or_algorithm_is_still_refused(settings):
    claims = {"token_type": "access", "exp": 4_000_000_000, "iat": 1, "jti": "j", "user_id": "7"}
    forged = jwt.encode(claims, "another key of at least thirty-two bytes", algorithm="HS256")
    with pytest.raises(TokenError):
        AccessToken(forged)
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(TokenError):
        AccessToken(unsigned)


def test_a_token_seen_before_skips_the_signature_but_not_the_claim_checks(monkeypatch):
    token = str(SimpleAccessToken.for_user(type("U", (), {"id": 8})()))
    backend = AccessToken().get_token_backend()
    decoded = []
    original = type(backend).decode
    monkeypatch.setattr(
        type(backend), "decode", lambda self, *a, **k: decoded.append(1) or original(self, *a, **k)
    )
    AccessToken._decoded.clear()
    assert [AccessToken(token)["user_id"] for _ in range(3)] == ["8", "8", "8"]
    assert decoded == [1]
    # The expiry is still checked against the clock at every use.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1)), pytest.raises(TokenError):
        AccessToken(token)
