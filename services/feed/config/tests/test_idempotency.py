"""Idempotency-Key on the feed's unsafe requests (shared.idempotency, as this service runs it)."""

import hashlib
import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test.client import encode_multipart
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient, APIRequestFactory

from config.tests import probes
from posts.models import Post
from shared.idempotency import store
from shared.idempotency.fingerprint import _BoundaryBlindHasher, fingerprint
from shared.idempotency.models import IdempotencyRecord
from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db

KEY_HEADER = "HTTP_IDEMPOTENCY_KEY"


@pytest.fixture(autouse=True)
def _reset_probe_runs():
    probes.RUNS.clear()


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def create_post(client: APIClient, key: str, **body: str):
    return client.post(
        "/api/v1/posts", body or {"title": "hello"}, format="json", **{KEY_HEADER: key}
    )


def png_bytes(size: int = 8, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def multipart(client: APIClient, path: str, key: str, data: dict, *, boundary: str):
    return client.post(
        path,
        data=encode_multipart(boundary, data),
        content_type=f"multipart/form-data; boundary={boundary}",
        **{KEY_HEADER: key},
    )


def upload(name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


# --- replay ---------------------------------------------------------------------------------


def test_a_retried_post_creation_replays_the_first_response_and_creates_nothing(client_for):
    client, key = client_for(7), new_key()
    first = create_post(client, key, title="hello")
    retry = create_post(client, key, title="hello")

    assert first.status_code == 201
    assert "Idempotency-Replayed" not in first.headers
    assert retry.status_code == 201
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.headers["Content-Type"] == first.headers["Content-Type"]
    assert retry.json() == first.json()
    assert Post.objects.filter(author_id=7).count() == 1


def test_a_retry_with_a_trailing_slash_is_the_same_request(client_for):
    client, key = client_for(7), new_key()
    first = create_post(client, key)
    retry = client.post("/api/v1/posts/", {"title": "hello"}, format="json", **{KEY_HEADER: key})
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]


def test_a_key_lets_the_same_body_be_posted_again_under_a_new_key(client_for):
    client = client_for(7)
    first = create_post(client, new_key())
    second = create_post(client, new_key())
    assert first.json()["id"] != second.json()["id"]
    assert Post.objects.filter(author_id=7).count() == 2


def test_validation_errors_are_kept_and_replayed(client_for):
    client, key = client_for(7), new_key()
    first = create_post(client, key, title="x" * 1001)
    retry = create_post(client, key, title="x" * 1001)
    assert first.status_code == retry.status_code == 400
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json() == first.json()


@pytest.mark.urls("config.tests.probes")
def test_a_5xx_is_not_kept_so_the_retry_runs_again(client_for):
    client, key = client_for(7), new_key()
    path = "/api/v1/_probe/fails-once"

    failed = client.post(path, {}, format="json", **{KEY_HEADER: key})
    retried = client.post(path, {}, format="json", **{KEY_HEADER: key})
    again = client.post(path, {}, format="json", **{KEY_HEADER: key})

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert "Idempotency-Replayed" not in retried.headers
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.json() == retried.json() == {"run": 2}
    assert probes.RUNS["fails-once"] == 2


@pytest.mark.urls("config.tests.probes")
def test_a_response_marked_no_store_is_never_kept_and_the_retry_runs_again(client_for):
    client, key = client_for(7), new_key()
    path = "/api/v1/_probe/secret"

    first = client.post(path, {}, format="json", **{KEY_HEADER: key})
    retried = client.post(path, {}, format="json", **{KEY_HEADER: key})

    assert (first.json(), retried.json()) == ({"run": 1}, {"run": 2})
    assert "Idempotency-Replayed" not in retried.headers
    assert not IdempotencyRecord.objects.filter(key=key).exists()


@pytest.mark.urls("config.tests.probes")
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_put_patch_and_delete_are_replayed_too(client_for, method):
    client, key = client_for(7), new_key()
    send = getattr(client, method)
    first = send("/api/v1/_probe/resource", {"a": 1}, format="json", **{KEY_HEADER: key})
    retry = send("/api/v1/_probe/resource", {"a": 1}, format="json", **{KEY_HEADER: key})
    assert retry.status_code == first.status_code
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.content == first.content
    assert probes.RUNS[method] == 1


def test_a_replay_does_not_repeat_the_rate_limit_fields_of_the_first_response(client_for):
    client, key = client_for(7), new_key()
    first = create_post(client, key)
    retry = create_post(client, key)
    assert "RateLimit" in first.headers
    assert "RateLimit" not in retry.headers
    assert "RateLimit-Policy" not in retry.headers
    # The replay still goes out through the outer middlewares: it has its own request id.
    assert retry.headers["X-Request-ID"]


# --- conflicts ------------------------------------------------------------------------------


def test_the_same_key_with_a_different_body_is_422(client_for):
    client, key = client_for(7), new_key()
    create_post(client, key, title="hello")
    reused = create_post(client, key, title="something else")
    assert reused.status_code == 422
    assert set(reused.json()) == {"detail"}
    assert Post.objects.filter(author_id=7).count() == 1


@pytest.mark.urls("config.tests.probes")
def test_the_same_key_on_another_method_or_path_is_422(client_for):
    client, key = client_for(7), new_key()
    create_post(client, key, title="hello")
    other = client.put(
        "/api/v1/_probe/resource", {"title": "hello"}, format="json", **{KEY_HEADER: key}
    )
    assert other.status_code == 422
    assert probes.RUNS["put"] == 0


def json_post_fingerprint(path: str, body: dict) -> str:
    return fingerprint(APIRequestFactory().post(path, body, format="json"))


def test_a_retry_while_the_first_is_still_running_is_409_with_retry_after(client_for):
    key = new_key()
    # The first request has claimed the key and its view is still running.
    running = store.claim(
        scope="user:7",
        key=key,
        fingerprint=json_post_fingerprint("/api/v1/posts", {"title": "hello"}),
    )
    assert isinstance(running, store.Claimed)

    retry = create_post(client_for(7), key, title="hello")

    assert retry.status_code == 409
    assert set(retry.json()) == {"detail"}
    assert int(retry.headers["Retry-After"]) >= 1
    assert not Post.objects.exists()


def test_an_attempt_abandoned_past_the_lock_timeout_is_taken_over_by_the_retry(
    client_for, settings
):
    settings.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 60
    key = new_key()
    abandoned = store.claim(
        scope="user:7",
        key=key,
        fingerprint=json_post_fingerprint("/api/v1/posts", {"title": "hello"}),
    )
    IdempotencyRecord.objects.filter(pk=abandoned.record_id).update(
        started_at=timezone.now() - timedelta(seconds=61)
    )

    retry = create_post(client_for(7), key, title="hello")

    assert retry.status_code == 201
    assert "Idempotency-Replayed" not in retry.headers
    assert create_post(client_for(7), key, title="hello").headers["Idempotency-Replayed"] == "true"


# --- who the key belongs to -----------------------------------------------------------------


def test_different_callers_using_the_same_key_do_not_collide(client_for):
    key = new_key()
    mine = create_post(client_for(7), key, title="hello")
    theirs = create_post(client_for(8), key, title="hello")
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotency-Replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]


def test_an_invalid_token_is_answered_401_by_the_view_and_claims_nothing(client):
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = create_post(client, new_key())
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_an_anonymous_write_is_still_401_with_a_key(client):
    assert create_post(client, new_key()).status_code == 401
    assert create_post(client, new_key()).status_code == 401


# --- the key itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["", " ", "has space", "tab\there", "x" * 256, "ключ", "emoji-\U0001f600", "nul\x00"],
    ids=["empty", "blank", "space", "tab", "too-long", "non-ascii", "emoji", "nul"],
)
def test_an_invalid_key_is_a_json_400_and_nothing_runs(client_for, key):
    response = create_post(client_for(7), key)
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert not Post.objects.exists()


def test_a_key_of_255_visible_characters_is_accepted(client_for):
    key = "!" + "~" * 253 + "a"
    assert create_post(client_for(7), key).status_code == 201
    assert create_post(client_for(7), key).headers["Idempotency-Replayed"] == "true"


def test_a_key_on_a_safe_method_is_ignored(client_for):
    post_id = create_post(client_for(7), new_key()).json()["id"]
    response = client_for(7).get(f"/api/v1/posts/{post_id}", **{KEY_HEADER: "not valid"})
    assert response.status_code == 200


# --- multipart ------------------------------------------------------------------------------


@pytest.mark.urls("config.tests.probes")
def test_a_retried_upload_with_a_new_multipart_boundary_is_replayed(client_for):
    client, key = client_for(7), new_key()
    data = {"title": "cat", "images": [upload("a.png", png_bytes()), upload("b.png", png_bytes(9))]}
    first = multipart(client, "/api/v1/_probe/upload", key, data, boundary="first-boundary-1")
    for part in data["images"]:
        part.seek(0)
    retry = multipart(client, "/api/v1/_probe/upload", key, data, boundary="Another_Boundary-22")

    assert first.status_code == 201
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json() == first.json()
    assert probes.RUNS["upload"] == 1


@pytest.mark.urls("config.tests.probes")
def test_a_retried_upload_with_another_file_is_422(client_for):
    client, key = client_for(7), new_key()
    multipart(
        client,
        "/api/v1/_probe/upload",
        key,
        {"images": [upload("a.png", png_bytes())]},
        boundary="b1",
    )
    other = multipart(
        client,
        "/api/v1/_probe/upload",
        key,
        {"images": [upload("a.png", png_bytes(colour=(0, 0, 0)))]},
        boundary="b1",
    )
    assert other.status_code == 422
    assert probes.RUNS["upload"] == 1


@pytest.mark.urls("config.tests.probes")
def test_an_upload_larger_than_the_in_memory_limit_reaches_the_view_intact(client_for, settings):
    # Past FILE_UPLOAD_MAX_MEMORY_SIZE the middleware spools the body to disk before the view's
    # parsers read it; the view must still see every byte.
    content = bytes(range(256)) * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE // 256 + 4096)
    client, key = client_for(7), new_key()
    data = {"title": "big", "images": [upload("big.bin", content)]}

    first = multipart(client, "/api/v1/_probe/upload", key, data, boundary="big-1")
    data["images"][0].seek(0)
    retry = multipart(client, "/api/v1/_probe/upload", key, data, boundary="big-2")

    assert first.status_code == 201
    assert first.json()["files"] == [
        {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    ]
    assert first.json()["title"] == "big"
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert probes.RUNS["upload"] == 1


def test_a_retried_multipart_post_with_an_image_creates_one_post(client_for):
    client, key = client_for(7), new_key()
    data = {"title": "a red square", "images": [upload("red.png", png_bytes(32))]}
    first = multipart(client, "/api/v1/posts", key, data, boundary="post-boundary-a")
    data["images"][0].seek(0)
    retry = multipart(client, "/api/v1/posts", key, data, boundary="post-boundary-b")

    assert first.status_code == 201, first.content
    assert len(first.json()["images"]) == 1
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Post.objects.filter(author_id=7).count() == 1


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 10_000])
def test_the_multipart_fingerprint_does_not_depend_on_how_the_body_is_chunked(chunk_size):
    boundary = b"xyz-boundary"
    body = (
        b"--xyz-boundary\r\ncontent\r\n--xyz-boundary\r\nmore --xyz-boundar\r\n--xyz-boundary--\r\n"
    )

    def digest(chunks: list[bytes]) -> str:
        total = hashlib.sha256()
        hasher = _BoundaryBlindHasher(total, boundary)
        for chunk in chunks:
            hasher.update(chunk)
        hasher.finish()
        return total.hexdigest()

    whole = digest([body])
    chunked = digest([body[i : i + chunk_size] for i in range(0, len(body), chunk_size)])
    renamed = digest([body.replace(boundary, b"other")[:-1] + b"\n"])
    assert chunked == whole
    assert renamed != whole  # sanity: the content itself still counts


# --- storage --------------------------------------------------------------------------------


def test_an_expired_key_can_be_used_again_and_the_purge_command_removes_expired_records(
    client_for,
):
    client, key = client_for(7), new_key()
    create_post(client, key)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    again = create_post(client, key)
    assert again.status_code == 201
    assert "Idempotency-Replayed" not in again.headers
    assert Post.objects.filter(author_id=7).count() == 2

    create_post(client, new_key())
    IdempotencyRecord.objects.filter(key=key).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    out = io.StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "deleted 1 " in out.getvalue()
    assert IdempotencyRecord.objects.count() == 1


def test_records_expire_after_24_hours_by_default(client_for):
    before = timezone.now()
    create_post(client_for(7), new_key())
    record = IdempotencyRecord.objects.get()
    assert before + timedelta(hours=24) <= record.expires_at <= timezone.now() + timedelta(hours=24)


@pytest.mark.urls("config.tests.probes")
def test_a_response_too_large_to_keep_is_not_run_again(client_for, settings):
    settings.IDEMPOTENCY_MAX_RESPONSE_BYTES = 5  # {"run": 1} is 10 bytes
    client, key = client_for(7), new_key()
    first = client.put("/api/v1/_probe/resource", {"a": 1}, format="json", **{KEY_HEADER: key})
    retry = client.put("/api/v1/_probe/resource", {"a": 1}, format="json", **{KEY_HEADER: key})
    assert first.status_code == 200
    assert retry.status_code == 409
    assert "Retry-After" not in retry.headers
    assert probes.RUNS["put"] == 1


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_identical_requests_at_the_same_moment_create_one_post(client_for):
    threads_count = 12
    key = new_key()
    clients = [client_for(7) for _ in range(threads_count)]

    responses = run_concurrently(
        threads_count, lambda i: create_post(clients[i], key, title="at once")
    )

    assert len(responses) == threads_count
    fresh = [
        r for r in responses if r.status_code == 201 and "Idempotency-Replayed" not in r.headers
    ]
    replays = [r for r in responses if r.headers.get("Idempotency-Replayed") == "true"]
    busy = [r for r in responses if r.status_code == 409]
    assert len(fresh) == 1
    assert len(replays) + len(busy) == threads_count - 1
    assert all(r.json()["id"] == fresh[0].json()["id"] for r in replays)
    assert all(int(r.headers["Retry-After"]) >= 1 for r in busy)
    assert Post.objects.filter(author_id=7).count() == 1


def test_a_multipart_boundary_outside_latin_1_is_a_400_not_a_500(client_for):
    response = client_for(7).generic(
        "POST",
        "/api/v1/posts",
        b"--\xe2\x82\xac\r\n",
        content_type="multipart/form-data; boundary*=utf-8''%E2%82%AC",
        **{KEY_HEADER: new_key()},
    )
    assert response.status_code == 400
    assert "detail" in response.json()
