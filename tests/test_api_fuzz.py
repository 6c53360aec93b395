"""Property-based fuzzing of both services' whole public API, through the real gateway.

schemathesis reads each service's OpenAPI schema from the gateway and sends generated requests
(valid and odd: huge integers, NUL bytes, odd Unicode, malformed bodies) with a real access
token. Every response must be JSON-or-documented, never a 5xx, with a documented status code and
a body that matches the schema. Bounded: a fixed number of examples per operation, a timeout on
every request.

The fuzzer connects from 127.0.0.9, so the per-address limits it trips (sign-up, the gateway's
auth zone) are its own and never starve the other end-to-end tests.
"""

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from requests.adapters import HTTPAdapter
from schemathesis import checks

from tests.conftest import Account, Api, sign_up

FUZZER_ADDRESS = "127.0.0.9"
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


class SourceAddressAdapter(HTTPAdapter):
    """Send every request from one loopback address."""

    def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["source_address"] = (FUZZER_ADDRESS, 0)
        return super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="module")
def fuzz_session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.mount("http://", SourceAddressAdapter())
        yield session


@pytest.fixture(scope="module")
def fuzz_account(stack, fuzz_session) -> Account:
    api = Api(stack.url)
    api.mount("http://", SourceAddressAdapter())
    account = sign_up(api)
    # Something for the generated ids to hit now and then.
    api.post("/api/v1/posts", json={"title": "fuzz target"}, headers=account.auth)
    return account


@pytest.fixture(scope="module")
def users_schema(stack):
    return schemathesis.openapi.from_url(f"{stack.url}/api/schema/users")


@pytest.fixture(scope="module")
def feed_schema(stack):
    return schemathesis.openapi.from_url(f"{stack.url}/api/schema/feed")


fuzz_settings = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(schema_url: str, base_url: str, session: requests.Session, account: Account) -> None:
    """Run every operation of the schema; report all failing operations together."""
    schema = schemathesis.openapi.from_url(schema_url)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{schema_url} lists no operations"
    for operation in operations:

        @fuzz_settings
        @given(case=operation.as_strategy())
        def exercise(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(
                base_url=base_url,
                session=session,
                headers=account.auth,
                checks=CHECKS,
                timeout=15,
            )

        try:
            exercise()
        except Exception as failure:  # collect every operation's failure
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_users_service_survives_fuzzing(stack, fuzz_session, fuzz_account):
    fuzz(f"{stack.url}/api/schema/users", stack.url, fuzz_session, fuzz_account)


def test_feed_service_survives_fuzzing(stack, fuzz_session, fuzz_account):
    fuzz(f"{stack.url}/api/schema/feed", stack.url, fuzz_session, fuzz_account)


def test_notifications_service_survives_fuzzing(stack, fuzz_session, fuzz_account):
    fuzz(f"{stack.url}/api/schema/notifications", stack.url, fuzz_session, fuzz_account)
