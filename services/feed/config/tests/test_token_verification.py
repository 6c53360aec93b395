"""What verifying an access token costs, and that it refuses what it refused before: PyJWT's
HMAC key check runs once per key (shared.tokens.HMACKeyCheckedOnce)."""

import jwt
import pytest
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
