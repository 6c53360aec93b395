"""`createsuperuser` and the Django admin work with the custom user, and keep its rules."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.events import ACCOUNT_CREATED, ACCOUNT_DELETED, ACCOUNT_UPDATED
from accounts.models import User
from accounts.tests.test_tokens import decode, obtain, refresh
from shared.events.models import OutboxEvent
from shared.revocation.conf import SESSIONS_ENDED

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return User.objects.create_superuser(
        email="root@example.com", username="Root", password="a sturdy passphrase 42"
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_createsuperuser_without_prompts(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a sturdy passphrase 42")
    call_command(
        "createsuperuser", interactive=False, email="Boss@Example.com", username="Boss", verbosity=0
    )
    user = User.objects.get()
    assert (user.email, user.username) == ("Boss@example.com", "boss")
    assert user.is_staff
    assert user.is_superuser
    assert user.check_password("a sturdy passphrase 42")


def test_createsuperuser_with_a_taken_username_in_another_case_is_a_clean_error(
    admin_user, monkeypatch
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a sturdy passphrase 42")
    with pytest.raises(CommandError, match="username already exists"):
        call_command(
            "createsuperuser",
            interactive=False,
            email="x@example.com",
            username="ROOT",
            verbosity=0,
        )


def test_admin_pages_render(admin_client, admin_user):
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/?q=root",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{admin_user.pk}/change/",
        "/admin/shared_events/outboxevent/",
        "/admin/shared_events/appliedevent/",
    ):
        assert admin_client.get(path).status_code == 200, path


def test_admin_add_user_lowercases_the_username_and_records_the_event(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New@Example.com",
            "username": "NewBie",
            "usable_password": "true",
            "password1": "another sturdy phrase 9",
            "password2": "another sturdy phrase 9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newbie")
    assert OutboxEvent.objects.filter(aggregate_id=user.pk, type=ACCOUNT_CREATED).exists()


def test_admin_refuses_an_email_taken_in_another_case(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"email": "ROOT@example.com", "username": "other", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def change_form(user: User, **changes: object) -> dict:
    data = {
        "email": user.email,
        "username": user.username,
        "name": user.name,
        "bio": user.bio,
        "website": user.website,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_admin_rename_records_an_update_event_and_other_edits_do_not(admin_client, make_user):
    user = make_user(username="carol")
    url = f"/admin/accounts/user/{user.pk}/change/"
    assert admin_client.post(url, change_form(user, bio="hello")).status_code == 302
    assert not OutboxEvent.objects.filter(type=ACCOUNT_UPDATED).exists()
    assert admin_client.post(url, change_form(user, username="Caroline")).status_code == 302
    user.refresh_from_db()
    assert user.username == "caroline"
    event = OutboxEvent.objects.get(type=ACCOUNT_UPDATED)
    assert event.payload == {
        "username": "caroline",
        "name": "",
        "avatar_url": None,
        "is_private": False,
    }


def test_admin_delete_records_the_deletion_event(admin_client, make_user):
    user = make_user(username="dave")
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert OutboxEvent.objects.filter(aggregate_id=user.pk, type=ACCOUNT_DELETED).exists()


def test_outbox_admin_is_read_only(admin_client):
    assert admin_client.get("/admin/shared_events/outboxevent/add/").status_code == 403


def test_deactivating_an_account_in_the_admin_ends_every_sign_in(admin_client, make_user):
    user = make_user(username="erin")
    pair = obtain(APIClient(), email=user.email).json()
    url = f"/admin/accounts/user/{user.pk}/change/"
    assert admin_client.post(url, change_form(user, bio="still here")).status_code == 302
    assert not OutboxEvent.objects.filter(type=SESSIONS_ENDED).exists()

    assert admin_client.post(url, change_form(user, is_active="")).status_code == 302

    event = OutboxEvent.objects.get(type=SESSIONS_ENDED)
    assert (event.aggregate_id, event.payload["through_session_id"]) == (
        user.pk,
        decode(pair["access"])["sid"],
    )
    assert refresh(APIClient(), pair["refresh"]).status_code == 401


def test_a_password_set_in_the_admin_ends_every_sign_in(admin_client, make_user):
    user = make_user(username="fay")
    pair = obtain(APIClient(), email=user.email).json()
    new_password = "an admin's new passphrase 9"
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302
    me = APIClient().get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert me.status_code == 401
    assert refresh(APIClient(), pair["refresh"]).status_code == 401
    assert OutboxEvent.objects.filter(type=SESSIONS_ENDED, aggregate_id=user.pk).count() == 1
    assert obtain(APIClient(), email=user.email, password=new_password).status_code == 200
