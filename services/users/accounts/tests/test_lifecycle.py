"""Password reset, email verification and email change: the API rows, the mail, the tokens."""

from datetime import timedelta

import pytest
import time_machine
from conftest import PASSWORD, bearer, link_query, send_queued_mail
from django.utils import timezone

from accounts.models import User
from mailer.models import Message, MessageKind

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another sturdy passphrase 43"


def post(client, path, body=None, **headers):
    return client.post(f"/api/v1/{path}", body or {}, format="json", **headers)


def sign_in(client, email="ann@example.com", password=PASSWORD):
    return post(client, "auth/token", {"email": email, "password": password})


# --- Email verification --------------------------------------------------------------------


def test_sign_up_mails_a_verification_link_that_verifies_once(client):
    body = {"email": "Zoe@Example.com", "username": "zoe", "password": PASSWORD}
    created = post(client, "auth/signup", body)
    assert created.status_code == 201
    assert created.json()["email_verified"] is False
    [message] = send_queued_mail()
    assert message.to == ["Zoe@example.com"]
    assert message.alternatives[0].mimetype == "text/html"
    link = link_query(message)
    assert message.body.count("http://127.0.0.1:8000/verify-email?token=") == 1

    assert post(client, "auth/email/verify", {"token": link["token"]}).status_code == 204
    assert User.objects.get(username="zoe").email_verified is True
    again = post(client, "auth/email/verify", {"token": link["token"]})
    assert again.status_code == 400
    assert set(again.json()) == {"token"}


def test_a_verification_link_expires_after_three_days(client):
    post(
        client, "auth/signup", {"email": "zoe@example.com", "username": "zoe", "password": PASSWORD}
    )
    [message] = send_queued_mail()
    with time_machine.travel(timezone.now() + timedelta(days=3, seconds=5)):
        response = post(client, "auth/email/verify", {"token": link_query(message)["token"]})
    assert response.status_code == 400
    assert User.objects.get(username="zoe").email_verified is False


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 2000])
def test_a_malformed_verification_token_is_a_400(client, token):
    assert post(client, "auth/email/verify", {"token": token}).status_code == 400


def test_resend_mails_a_new_link_until_verified(client, user):
    response = post(client, "auth/email/verify/resend", **bearer(user))
    assert response.status_code == 202
    [message] = send_queued_mail()
    assert post(client, "auth/email/verify", link_query(message)).status_code == 204
    assert post(client, "auth/email/verify/resend", **bearer(user)).status_code == 202
    assert send_queued_mail() == []


def test_resend_needs_a_token(client):
    assert post(client, "auth/email/verify/resend").status_code == 401


def test_resend_is_limited_per_address_and_per_client(client, user, make_user, rates):
    rates(email_verification="3/hour", email_verification_address="2/hour")
    statuses = [
        post(client, "auth/email/verify/resend", REMOTE_ADDR=f"10.0.0.{n}", **bearer(user))
        for n in range(3)
    ]
    assert [response.status_code for response in statuses] == [202, 202, 429]
    assert int(statuses[-1]["Retry-After"]) >= 1
    other = make_user()
    statuses = [
        post(client, "auth/email/verify/resend", REMOTE_ADDR="10.9.9.9", **bearer(other))
        for _ in range(2)
    ] + [post(client, "auth/email/verify/resend", REMOTE_ADDR="10.9.9.9", **bearer(user))]
    assert [response.status_code for response in statuses] == [202, 202, 429]


# --- Password reset ------------------------------------------------------------------------


def request_reset(client, email="ann@example.com", **headers):
    return post(client, "auth/password/reset", {"email": email}, **headers)


def reset_link(client, email="ann@example.com") -> dict[str, str]:
    assert request_reset(client, email).status_code == 202
    [message] = send_queued_mail()
    assert message.to == [email]
    return link_query(message)


def confirm_reset(client, link, password=NEW_PASSWORD):
    return post(
        client,
        "auth/password/reset/confirm",
        {"uid": link["uid"], "token": link["token"], "new_password": password},
    )


def test_a_reset_request_is_202_whether_or_not_an_account_has_the_address(client, user):
    known = request_reset(client, "ANN@example.com")
    unknown = request_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert set(known.json()) == {"detail"}
    assert [message.to for message in send_queued_mail()] == [["ann@example.com"]]


@pytest.mark.parametrize("body", [{}, {"email": "not an address"}, {"email": ["a@b.c"]}])
def test_a_malformed_reset_request_is_a_400(client, body):
    assert post(client, "auth/password/reset", body).status_code == 400


def test_a_reset_sets_the_password_ends_every_session_and_dies(client, user):
    old_refresh = sign_in(client).json()["refresh"]
    link = reset_link(client)
    assert confirm_reset(client, link).status_code == 204

    assert sign_in(client).status_code == 401
    assert sign_in(client, password=NEW_PASSWORD).status_code == 200
    refreshed = post(client, "auth/token/refresh", {"refresh": old_refresh})
    assert refreshed.status_code == 401
    again = confirm_reset(client, link, password="a third sturdy passphrase 44")
    assert again.status_code == 400
    assert set(again.json()) == {"token"}
    user.refresh_from_db()
    assert user.email_verified is True


def test_a_reset_link_expires_after_password_reset_timeout(client, user, settings):
    link = reset_link(client)
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    ):
        assert confirm_reset(client, link).status_code == 400
    assert sign_in(client).status_code == 200


def test_a_password_change_in_between_kills_the_reset_link(client, user):
    link = reset_link(client)
    changed = post(
        client,
        "users/me/password",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        **bearer(user),
    )
    assert changed.status_code == 204
    assert confirm_reset(client, link, password="a third sturdy passphrase 44").status_code == 400


def test_a_reset_refuses_a_weak_password_and_keeps_the_link_alive(client, user):
    link = reset_link(client)
    weak = confirm_reset(client, link, password="123")
    assert weak.status_code == 400
    assert set(weak.json()) == {"new_password"}
    assert confirm_reset(client, link).status_code == 204


@pytest.mark.parametrize("uid", ["", "!!", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw", "x" * 2000])
def test_a_bad_uid_is_a_400(client, user, uid):
    link = reset_link(client)
    assert confirm_reset(client, {**link, "uid": uid}).status_code == 400


def test_reset_requests_are_limited_per_address_and_per_client(client, user, rates):
    rates(password_reset="4/hour", password_reset_address="2/hour")
    by_address = [request_reset(client, REMOTE_ADDR=f"10.0.1.{n}").status_code for n in range(3)]
    assert by_address == [202, 202, 429]
    by_client = [
        request_reset(client, f"other{n}@example.com", REMOTE_ADDR="10.0.2.1").status_code
        for n in range(5)
    ]
    assert by_client == [202, 202, 202, 202, 429]


def test_a_deleted_accounts_queued_mail_is_skipped(client, user):
    request_reset(client)
    User.objects.filter(pk=user.pk).delete()
    assert send_queued_mail() == []
    assert Message.objects.get().skipped is True


# --- Email change --------------------------------------------------------------------------


def change_email(client, user, new_email="ann.new@example.com", password=PASSWORD):
    return post(
        client, "users/me/email", {"new_email": new_email, "password": password}, **bearer(user)
    )


def test_an_email_change_is_confirmed_from_the_new_address_and_noticed_at_the_old(client, user):
    assert change_email(client, user).status_code == 202
    [confirmation] = send_queued_mail()
    assert confirmation.to == ["ann.new@example.com"]
    user.refresh_from_db()
    assert user.email == "ann@example.com"

    token = link_query(confirmation)["token"]
    assert post(client, "auth/email/confirm", {"token": token}).status_code == 204
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("ann.new@example.com", True)
    [notice] = send_queued_mail()
    assert notice.to == ["ann@example.com"]
    assert "ann.new@example.com" in notice.body
    assert post(client, "auth/email/confirm", {"token": token}).status_code == 400
    assert sign_in(client, email="ann.new@example.com").status_code == 200


def test_an_email_change_needs_the_password_and_a_free_address(client, user, make_user):
    make_user(email="taken@example.com")
    wrong = change_email(client, user, password="wrong")
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"password"}
    taken = change_email(client, user, new_email="TAKEN@example.com")
    assert taken.status_code == 400
    assert set(taken.json()) == {"new_email"}
    same = change_email(client, user, new_email="Ann@Example.com")
    assert same.status_code == 400
    assert post(client, "users/me/email", {"new_email": "x@example.com"}).status_code == 401
    assert Message.objects.filter(kind=MessageKind.EMAIL_CHANGE).count() == 0


def test_an_address_taken_meanwhile_fails_the_confirmation(client, user, make_user):
    change_email(client, user)
    [confirmation] = send_queued_mail()
    make_user(email="Ann.New@example.com")
    response = post(client, "auth/email/confirm", {"token": link_query(confirmation)["token"]})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "ann@example.com"


def test_an_email_change_link_expires(client, user):
    change_email(client, user)
    [confirmation] = send_queued_mail()
    with time_machine.travel(timezone.now() + timedelta(days=3, seconds=5)):
        response = post(client, "auth/email/confirm", link_query(confirmation))
    assert response.status_code == 400


def test_a_verification_token_is_no_email_change_token(client, user):
    post(client, "auth/email/verify/resend", **bearer(user))
    [message] = send_queued_mail()
    assert post(client, "auth/email/confirm", link_query(message)).status_code == 400


# --- REQUIRE_VERIFIED_EMAIL ----------------------------------------------------------------


def test_unverified_accounts_cannot_write_when_verified_email_is_required(client, user, settings):
    settings.REQUIRE_VERIFIED_EMAIL = True
    refused = client.patch("/api/v1/users/me", {"bio": "hi"}, format="json", **bearer(user))
    assert refused.status_code == 403
    assert "Verify your email address" in refused.json()["detail"]
    assert client.get("/api/v1/users/me", **bearer(user)).status_code == 200
    assert post(client, "auth/email/verify/resend", **bearer(user)).status_code == 202
    [message] = send_queued_mail()
    assert post(client, "auth/email/verify", link_query(message)).status_code == 204
    allowed = client.patch("/api/v1/users/me", {"bio": "hi"}, format="json", **bearer(user))
    assert allowed.status_code == 200


def test_verified_email_is_not_required_by_default(client, user):
    response = client.patch("/api/v1/users/me", {"bio": "hi"}, format="json", **bearer(user))
    assert response.status_code == 200
