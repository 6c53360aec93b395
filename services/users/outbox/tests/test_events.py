"""Events are written in the transaction of the account change they describe, and only then."""

import pytest
from conftest import PASSWORD, image_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import User
from accounts.services import sign_up, update_profile
from outbox.models import Event, EventType
from outbox.services import record_event

pytestmark = pytest.mark.django_db


def events(user_id=None) -> list[tuple[str, dict]]:
    queryset = Event.objects.order_by("id")
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    return [(event.type, event.data) for event in queryset]


def test_sign_up_records_user_created(client):
    response = client.post(
        "/api/v1/auth/signup",
        {"email": "ann@example.com", "username": "Ann", "password": PASSWORD},
        format="json",
    )
    user_id = response.json()["id"]
    assert events(user_id) == [("user.created", {"username": "ann", "avatar_url": None})]
    event = Event.objects.get()
    assert event.delivered_at is None
    assert event.attempts == 0


def test_a_refused_sign_up_records_nothing(client, user):
    response = client.post(
        "/api/v1/auth/signup",
        {"email": "ANN@example.com", "username": "other", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert events() == [("user.created", {"username": "ann", "avatar_url": None})]


def test_a_rolled_back_change_takes_its_event_with_it(user):
    before = Event.objects.count()

    class Boom(Exception):
        pass

    def change_then_fail() -> None:
        with transaction.atomic():
            sign_up(email="bob@example.com", username="bob", password=PASSWORD)
            update_profile(user=user, changes={"username": "ann.renamed"})
            raise Boom

    with pytest.raises(Boom):
        change_then_fail()
    assert Event.objects.count() == before
    assert not User.objects.filter(username__in=["bob", "ann.renamed"]).exists()


def test_renaming_records_user_updated(auth_client, user):
    auth_client.patch("/api/v1/users/me", {"username": "Ann.Renamed"}, format="json")
    assert events(user.pk)[-1] == (
        "user.updated",
        {"username": "ann.renamed", "avatar_url": None},
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": "New Name", "bio": "new bio", "website": "https://example.com"},
        {"username": "ann"},
        {"username": "ANN"},
        {},
    ],
)
def test_edits_that_leave_username_and_avatar_alone_record_nothing(auth_client, user, body):
    count = Event.objects.count()
    assert auth_client.patch("/api/v1/users/me", body, format="json").status_code == 200
    assert Event.objects.count() == count


def test_a_refused_rename_records_nothing(auth_client, user, make_user):
    make_user(username="taken")
    count = Event.objects.count()
    response = auth_client.patch("/api/v1/users/me", {"username": "Taken"}, format="json")
    assert response.status_code == 400
    assert Event.objects.count() == count


def test_avatar_changes_record_user_updated_with_the_absolute_url(auth_client, user):
    file = {"avatar": _png()}
    url = auth_client.put("/api/v1/users/me/avatar", file, format="multipart").json()["avatar_url"]
    assert url.startswith("http://127.0.0.1:8000/media/users/avatars/")
    assert events(user.pk)[-1] == ("user.updated", {"username": "ann", "avatar_url": url})

    auth_client.delete("/api/v1/users/me/avatar")
    assert events(user.pk)[-1] == ("user.updated", {"username": "ann", "avatar_url": None})
    count = Event.objects.count()
    auth_client.delete("/api/v1/users/me/avatar")
    assert Event.objects.count() == count


def test_account_deletion_records_user_deleted_and_a_wrong_password_records_nothing(
    auth_client, user
):
    count = Event.objects.count()
    auth_client.delete("/api/v1/users/me", {"password": "wrong"}, format="json")
    assert Event.objects.count() == count
    assert (
        auth_client.delete("/api/v1/users/me", {"password": PASSWORD}, format="json").status_code
        == 204
    )
    assert events(user.pk)[-1] == ("user.deleted", {})


def test_event_ids_follow_the_order_of_one_users_changes(auth_client, user):
    for name in ("one", "two", "three"):
        auth_client.patch("/api/v1/users/me", {"username": name}, format="json")
    renames = [data["username"] for kind, data in events(user.pk) if kind == "user.updated"]
    assert renames == ["one", "two", "three"]


@pytest.mark.django_db(transaction=True)
def test_recording_an_event_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event(type=EventType.USER_CREATED, user_id=1, data={})


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.png", image_bytes("PNG"), content_type="image/png")
