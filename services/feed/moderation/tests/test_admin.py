"""The feed's admin: staff sign in through the users service (a local stand-in here, a real
HTTP server), sessions end with the token, and its deletes are recorded moderator removals."""

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from actions.posts import create_post
from authors.tests.standin import UsersServiceStandIn
from moderation.models import ModerationAction, Report
from moderation.services import report_target
from moderation.staff import STAFF_UNTIL
from posts.models import Comment, Post
from posts.services import add_comment
from posts.tests.factories import AuthorFactory
from social.models import UserStats

pytestmark = pytest.mark.django_db

LOGIN = "/admin/feed/login/"
PASSWORD = "a sturdy passphrase 42"


@pytest.fixture
def accounts(users_service: UsersServiceStandIn) -> UsersServiceStandIn:
    users_service.add_account(
        "mod@example.com", PASSWORD, user_id=900, username="mod", is_staff=True
    )
    users_service.add_account("ann@example.com", PASSWORD, user_id=2, username="ann")
    return users_service


def sign_in(browser: Client, email: str = "mod@example.com", password: str = PASSWORD):
    return browser.post(LOGIN, {"username": email, "password": password, "next": "/admin/feed/"})


@pytest.fixture
def staff(accounts) -> Client:
    browser = Client()
    assert sign_in(browser).status_code == 302
    return browser


def test_a_staff_member_signs_in_with_their_users_service_password(accounts):
    browser = Client()

    response = sign_in(browser)

    assert response.status_code == 302
    assert response["Location"] == "/admin/feed/"
    page = browser.get("/admin/feed/")
    assert page.status_code == 200
    assert b"Feed administration" in page.content
    assert accounts.sign_ins[-1]["email"] == "mod@example.com"
    assert accounts.sign_ins[-1]["user_agent"].startswith("feed-admin")
    stand_in = User.objects.get(pk=900)
    assert (stand_in.first_name, stand_in.is_staff, stand_in.has_usable_password()) == (
        "mod",
        True,
        False,
    )
    cookies = response.cookies
    assert cookies["feed_admin_session"]["path"] == "/admin/feed/"
    assert cookies["feed_admin_session"]["httponly"]


@pytest.mark.parametrize(
    ("email", "password"),
    [("ann@example.com", PASSWORD), ("mod@example.com", "wrong"), ("nobody@example.com", "x")],
    ids=["not-staff", "wrong-password", "no-account"],
)
def test_anyone_but_staff_with_the_right_password_stays_out(accounts, email, password):
    browser = Client()

    response = sign_in(browser, email, password)

    assert response.status_code == 200
    assert b"correct email and password for a staff account" in response.content
    assert browser.get("/admin/feed/").status_code == 302


def test_a_limited_or_unreachable_users_service_is_a_form_error(accounts, settings):
    accounts.status = 429
    limited = sign_in(Client())
    assert limited.status_code == 200
    assert b"try again in 42 seconds" in limited.content

    accounts.status = None
    settings.INTERNAL_API_TOKEN = "not-the-users-services-credential"
    refused = sign_in(Client())
    assert b"users service cannot be reached" in refused.content

    settings.USERS_SERVICE_URL = "http://127.0.0.1:9"
    down = sign_in(Client())
    assert down.status_code == 200
    assert b"users service cannot be reached" in down.content


def test_a_local_password_never_opens_the_admin(accounts):
    User.objects.create_superuser(username="mod@example.com", password=PASSWORD, email="x@y.z")
    accounts.accounts.clear()

    response = sign_in(Client())

    assert response.status_code == 200
    assert b"correct email and password" in response.content


def test_the_session_ends_when_the_access_token_would(staff):
    assert staff.get("/admin/feed/").status_code == 200
    session = staff.session
    session[STAFF_UNTIL] = time.time() - 1
    session.save()

    response = staff.get("/admin/feed/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_every_model_page_opens(staff):
    AuthorFactory(id=1)
    post = create_post(author_id=1, title="hello")
    add_comment(post=post, author_id=1, body="hi")
    report_target(reporter_id=2, target_type="post", target_id=post.pk, reason="spam")
    index = staff.get("/admin/feed/")
    links = sorted(
        {part.split('"')[0] for part in index.content.decode().split('href="/admin/feed/')[1:]}
    )
    model_pages = [link for link in links if link.count("/") == 2 and "logout" not in link]
    assert len(model_pages) >= 15, model_pages

    for link in model_pages:
        assert staff.get(f"/admin/feed/{link}").status_code == 200, link
    assert staff.get(f"/admin/feed/posts/post/{post.pk}/change/").status_code == 200


def test_deleting_a_post_in_the_admin_is_a_recorded_removal_that_resolves_its_reports(staff):
    AuthorFactory(id=1)
    post = create_post(author_id=1, title="spam")
    report_target(reporter_id=2, target_type="post", target_id=post.pk, reason="spam")

    response = staff.post(f"/admin/feed/posts/post/{post.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Post.objects.exists()
    assert UserStats.objects.get(pk=1).posts_count == 0
    action = ModerationAction.objects.get()
    assert (action.moderator_id, action.action, action.target_id) == (900, "remove", post.pk)
    assert Report.objects.get().resolution_id == action.pk


def test_the_report_actions_resolve_through_the_moderation_service(staff):
    AuthorFactory(id=1)
    post = create_post(author_id=1, title="spam")
    comment = add_comment(post=post, author_id=1, body="spam")
    on_post, _ = report_target(reporter_id=2, target_type="post", target_id=post.pk, reason="spam")
    on_comment, _ = report_target(
        reporter_id=2, target_type="comment", target_id=comment.pk, reason="spam"
    )

    response = staff.post(
        "/admin/feed/moderation/report/",
        {"action": "remove", "_selected_action": [on_comment.pk]},
    )

    assert response.status_code == 302
    assert not Comment.objects.exists()
    assert Report.objects.get(pk=on_comment.pk).status == "resolved"
    assert Report.objects.get(pk=on_post.pk).status == "open"
    assert Post.objects.exists()


def test_nothing_can_be_added_or_edited_in_the_admin(staff):
    AuthorFactory(id=1)
    post = create_post(author_id=1, title="hello")
    assert staff.get("/admin/feed/posts/post/add/").status_code == 403
    before = Post.objects.get(pk=post.pk).title
    staff.post(f"/admin/feed/posts/post/{post.pk}/change/", {"title": "changed"})
    assert Post.objects.get(pk=post.pk).title == before
