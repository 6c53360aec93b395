"""Account events are written in the transaction of the change they describe, and only then."""

import pytest
from conftest import PASSWORD, image_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import User
from accounts.services import sign_up, update_profile
from shared.events.models import OutboxEvent
from shared.events.outbox import record_event

pytestmark = pytest.mark.django_db


def events(user_id=None) -> list[tuple[str, dict]]:
    """The account events recorded (a sign-up's mail request is another aggregate's)."""
    queryset = OutboxEvent.objects.filter(type__startswith="users.account.").order_by("id")
    if user_id is not None:
        queryset = queryset.filter(aggregate_id=user_id)
    return [(event.type, event.payload) for event in queryset]


def state(username: str, name: str = "", avatar_url: str | None = None) -> dict:
    return {"username": username, "name": name, "avatar_url": avatar_url, "is_private": False}


def test_sign_up_records_account_created_with_the_request_id(client):
    response = client.post(
        "/api/v1/auth/signup",
        {"email": "ann@example.com", "username": "Ann", "password": PASSWORD, "name": "Ann A"},
        format="json",
        HTTP_X_REQUEST_ID="req-signup-1",
    )
    user_id = response.json()["id"]
    assert events(user_id) == [("users.account.created", state("ann", "Ann A"))]
    event = OutboxEvent.objects.get(type="users.account.created")
    assert event.published_at is None
    assert (event.aggregate_id, event.sequence, event.request_id) == (user_id, 1, "req-signup-1")


def test_a_refused_sign_up_records_nothing(client, user):
    response = client.post(
        "/api/v1/auth/signup",
        {"email": "ANN@example.com", "username": "other", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert events() == [("users.account.created", state("ann", "Ann Bell"))]


def test_a_rolled_back_change_takes_its_event_with_it(user):
    before = OutboxEvent.objects.count()

    class Boom(Exception):
        pass

    def change_then_fail() -> None:
        with transaction.atomic():
            sign_up(email="bob@example.com", username="bob", password=PASSWORD)
            update_profile(user=user, changes={"username": "ann.renamed"})
            raise Boom

    with pytest.raises(Boom):
        change_then_fail()
    assert OutboxEvent.objects.count() == before
    assert not User.objects.filter(username__in=["bob", "ann.renamed"]).exists()


def test_renaming_records_account_updated_with_the_whole_state(auth_client, user):
    auth_client.patch("/api/v1/users/me", {"username": "Ann.Renamed"}, format="json")
    assert events(user.pk)[-1] == ("users.account.updated", state("ann.renamed", "Ann Bell"))


def test_a_new_name_records_account_updated(auth_client, user):
    auth_client.patch("/api/v1/users/me", {"name": "Ann Smith", "bio": "hi"}, format="json")
    assert events(user.pk)[-1] == ("users.account.updated", state("ann", "Ann Smith"))


@pytest.mark.parametrize(
    "body",
    [
        {"bio": "new bio", "website": "https://example.com"},
        {"username": "ann"},
        {"username": "ANN"},
        {},
    ],
)
def test_edits_that_leave_the_replicated_state_alone_record_nothing(auth_client, user, body):
    count = OutboxEvent.objects.count()
    assert auth_client.patch("/api/v1/users/me", body, format="json").status_code == 200
    assert OutboxEvent.objects.count() == count


def test_a_refused_rename_records_nothing(auth_client, user, make_user):
    make_user(username="taken")
    count = OutboxEvent.objects.count()
    response = auth_client.patch("/api/v1/users/me", {"username": "Taken"}, format="json")
    assert response.status_code == 400
    assert OutboxEvent.objects.count() == count


def test_avatar_changes_record_account_updated_with_the_absolute_url(auth_client, user):
    file = {"avatar": _png()}
    url = auth_client.put("/api/v1/users/me/avatar", file, format="multipart").json()["avatar_url"]
    assert url.startswith("http://127.0.0.1:8000/media/users/avatars/")
    assert events(user.pk)[-1] == ("users.account.updated", state("ann", "Ann Bell", url))

    auth_client.delete("/api/v1/users/me/avatar")
    assert events(user.pk)[-1] == ("users.account.updated", state("ann", "Ann Bell"))
    count = OutboxEvent.objects.count()
    auth_client.delete("/api/v1/users/me/avatar")
    assert OutboxEvent.objects.count() == count


def test_account_deletion_records_account_deleted_and_a_wrong_password_records_nothing(
    auth_client, user
):
    count = OutboxEvent.objects.count()
    auth_client.delete("/api/v1/users/me", {"password": "wrong"}, format="json")
    assert OutboxEvent.objects.count() == count
    assert (
        auth_client.delete("/api/v1/users/me", {"password": PASSWORD}, format="json").status_code
        == 204
    )
    assert events(user.pk)[-1] == ("users.account.deleted", {})


def test_sequences_count_one_accounts_changes_from_one_in_order(auth_client, user, make_user):
    other = make_user(username="other")
    for name in ("one", "two", "three"):
        auth_client.patch("/api/v1/users/me", {"username": name}, format="json")
    rows = OutboxEvent.objects.filter(aggregate_id=user.pk).order_by("id")
    assert [(row.sequence, row.payload["username"]) for row in rows] == [
        (1, "ann"),
        (2, "one"),
        (3, "two"),
        (4, "three"),
    ]
    assert OutboxEvent.objects.get(aggregate_id=other.pk).sequence == 1
    assert len({row.event_id for row in OutboxEvent.objects.all()}) == 5


@pytest.mark.django_db(transaction=True)
def test_recording_an_event_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event(type="users.account.created", aggregate_id=1, payload={})


def test_event_types_must_name_service_aggregate_and_change():
    with transaction.atomic(), pytest.raises(ValueError, match="event types"):
        record_event(type="account.created", aggregate_id=1, payload={})


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.png", image_bytes("PNG"), content_type="image/png")


def test_a_sign_up_requests_its_verification_mail_in_the_same_transaction(client):
    response = client.post(
        "/api/v1/auth/signup",
        {"email": "zoe@example.com", "username": "zoe", "password": PASSWORD},
        format="json",
    )
    request = OutboxEvent.objects.get(type="users.mail.requested")
    assert request.aggregate_id == response.json()["id"]
    assert request.payload == {"kind": "email_verification", "to": "zoe@example.com", "data": {}}


def test_going_private_records_account_updated(user):
    update_profile(user=user, changes={"is_private": True})
    assert events(user.pk)[-1] == (
        "users.account.updated",
        {**state("ann", "Ann Bell"), "is_private": True},
    )
