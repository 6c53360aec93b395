"""/api/v1/reports and /api/v1/moderation/reports…: the contract's rows."""

import pytest

from actions.posts import create_post
from moderation.models import ModerationAction, Report
from moderation.services import report_target
from posts.models import Comment, Post
from posts.services import add_comment
from posts.tests.factories import AuthorFactory
from posts.tests.shapes import SUMMARY_KEYS

pytestmark = pytest.mark.django_db

REPORT_KEYS = {"id", "target_type", "target_id", "reason", "note", "status", "created_at"}
QUEUE_KEYS = REPORT_KEYS | {"reporter", "report_count"}


@pytest.fixture
def post() -> Post:
    AuthorFactory(id=1, username="spammer")
    return create_post(author_id=1, title="buy my stuff")


def report_post(client, post_id: int, **fields):
    body = {"target_type": "post", "target_id": post_id, "reason": "spam", **fields}
    return client.post("/api/v1/reports", body, format="json")


# --- POST /api/v1/reports ---------------------------------------------------------------------


def test_reporting_a_post_is_a_201_with_the_report_shape(client_for, post):
    response = report_post(client_for(2), post.pk, note="obvious spam")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == REPORT_KEYS
    assert body["target_type"] == "post"
    assert body["target_id"] == post.pk
    assert (body["reason"], body["note"], body["status"]) == ("spam", "obvious spam", "open")
    assert body["created_at"].endswith("Z")


def test_the_same_report_again_while_open_is_a_200_with_that_report(client_for, post):
    first = report_post(client_for(2), post.pk).json()

    again = report_post(client_for(2), post.pk, reason="hate")

    assert again.status_code == 200
    assert again.json() == first
    assert Report.objects.count() == 1


def test_comments_and_users_can_be_reported(client_for, post):
    comment = add_comment(post=post, author_id=1, body="spam")
    client = client_for(2)

    for target_type, target_id in (("comment", comment.pk), ("user", 1)):
        response = client.post(
            "/api/v1/reports",
            {"target_type": target_type, "target_id": target_id, "reason": "harassment"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["target_type"] == target_type


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target_type": "story"}, "target_type"),
        ({"target_id": 0}, "target_id"),
        ({"target_id": "one"}, "target_id"),
        ({"target_id": 2**63}, "target_id"),
        ({"reason": "boring"}, "reason"),
        ({"reason": None}, "reason"),
        ({"note": "x" * 1001}, "note"),
    ],
    ids=["type", "zero-id", "text-id", "huge-id", "reason", "null-reason", "long-note"],
)
def test_invalid_reports_are_a_400_naming_the_field(client_for, post, fields, field):
    response = report_post(client_for(2), post.pk, **fields)

    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


def test_a_note_of_1000_characters_is_accepted(client_for, post):
    assert report_post(client_for(2), post.pk, note="x" * 1000).status_code == 201


def test_reporting_needs_a_token_and_an_existing_target(client, client_for, post):
    assert report_post(client, post.pk).status_code == 401
    assert report_post(client_for(2), 4242).status_code == 404
    missing_comment = {"target_type": "comment", "target_id": 4242, "reason": "spam"}
    assert client_for(2).post("/api/v1/reports", missing_comment, format="json").status_code == 404


def test_reports_with_a_trailing_slash_work_too(client_for, post):
    response = client_for(2).post(
        "/api/v1/reports/",
        {"target_type": "post", "target_id": post.pk, "reason": "spam"},
        format="json",
    )
    assert response.status_code == 201


# --- GET /api/v1/moderation/reports -----------------------------------------------------------


def test_the_queue_is_staff_only(client, client_for, staff_client):
    assert client.get("/api/v1/moderation/reports").status_code == 401
    assert client_for(2).get("/api/v1/moderation/reports").status_code == 403
    not_staff = staff_client(is_staff=False)
    assert not_staff.get("/api/v1/moderation/reports").status_code == 403
    assert staff_client().get("/api/v1/moderation/reports").status_code == 200


def test_the_queue_lists_open_reports_oldest_first_with_reporter_and_report_count(
    client_for, staff_client, post
):
    # The callers' tokens carry the same names: a newer token's name would win over the row.
    AuthorFactory(id=2, username="ann")
    AuthorFactory(id=3, username="bob")
    first = report_post(client_for(2, "ann"), post.pk).json()
    user_report = client_for(2, "ann").post(
        "/api/v1/reports", {"target_type": "user", "target_id": 1, "reason": "spam"}, format="json"
    )
    second = report_post(client_for(3, "bob"), post.pk).json()

    response = staff_client().get("/api/v1/moderation/reports")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [first["id"], user_report.json()["id"], second["id"]]
    assert set(results[0]) >= QUEUE_KEYS
    assert set(results[0]["reporter"]) == SUMMARY_KEYS
    assert results[0]["reporter"] == {"id": 2, "username": "ann", "avatar_url": None}
    assert [row["report_count"] for row in results] == [2, 1, 2]


def test_the_queue_filters_by_status_and_refuses_an_unknown_one(client_for, staff_client, post):
    made = report_post(client_for(2), post.pk).json()
    staff = staff_client()
    staff.post(f"/api/v1/moderation/reports/{made['id']}/resolve", {"action": "dismiss"})

    assert staff.get("/api/v1/moderation/reports").json()["results"] == []
    resolved = staff.get("/api/v1/moderation/reports?status=resolved").json()["results"]
    assert [row["id"] for row in resolved] == [made["id"]]
    assert resolved[0]["status"] == "resolved"
    assert resolved[0]["report_count"] == 0
    assert staff.get("/api/v1/moderation/reports?status=closed").status_code == 400


def test_the_queue_paginates_every_report_once(client_for, staff_client):
    for author in range(1, 6):
        AuthorFactory(id=author)
        post = create_post(author_id=author, title="t")
        report_target(reporter_id=9, target_type="post", target_id=post.pk, reason="spam")
    staff = staff_client()

    seen, url = [], "/api/v1/moderation/reports?page_size=2"
    while url:
        page = staff.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert seen == sorted(Report.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("size", [1, 5, 20])
def test_a_queue_page_costs_the_same_queries_whatever_its_size(
    staff_client, size, django_assert_num_queries
):
    for author in range(1, 21):
        AuthorFactory(id=author)
        post = create_post(author_id=author, title="t")
        for reporter in (100 + author, 200 + author):
            AuthorFactory(id=reporter)
            report_target(
                reporter_id=reporter, target_type="post", target_id=post.pk, reason="spam"
            )
    staff = staff_client()

    # The token's account check, the page (report_count and resolution in it), the reporters.
    with django_assert_num_queries(3):
        response = staff.get(f"/api/v1/moderation/reports?page_size={size}")

    assert len(response.json()["results"]) == size


# --- POST /api/v1/moderation/reports/{id}/resolve ---------------------------------------------


def test_resolving_is_staff_only(client, client_for, staff_client, post):
    made = report_post(client_for(2), post.pk).json()
    url = f"/api/v1/moderation/reports/{made['id']}/resolve"

    assert client.post(url, {"action": "dismiss"}).status_code == 401
    assert client_for(2).post(url, {"action": "dismiss"}).status_code == 403
    assert staff_client(is_staff=False).post(url, {"action": "dismiss"}).status_code == 403
    assert Report.objects.get().status == "open"


def test_dismissing_resolves_every_open_report_on_the_target(client_for, staff_client, post):
    ids = [report_post(client_for(reporter), post.pk).json()["id"] for reporter in (2, 3, 4)]

    response = staff_client(900).post(
        f"/api/v1/moderation/reports/{ids[1]}/resolve", {"action": "dismiss"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= REPORT_KEYS
    assert (body["id"], body["status"]) == (ids[1], "resolved")
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}
    action = ModerationAction.objects.get()
    assert (action.moderator_id, action.action, action.target_id) == (900, "dismiss", post.pk)
    assert Post.objects.filter(pk=post.pk).exists()


def test_removing_deletes_the_post(client, client_for, staff_client, post):
    made = report_post(client_for(2), post.pk).json()

    response = staff_client().post(
        f"/api/v1/moderation/reports/{made['id']}/resolve", {"action": "remove"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert client.get(f"/api/v1/posts/{post.pk}").status_code == 404


def test_removing_deletes_the_comment(client_for, staff_client, post):
    comment = add_comment(post=post, author_id=1, body="spam")
    made = client_for(2).post(
        "/api/v1/reports",
        {"target_type": "comment", "target_id": comment.pk, "reason": "spam"},
        format="json",
    )

    response = staff_client().post(
        f"/api/v1/moderation/reports/{made.json()['id']}/resolve", {"action": "remove"}
    )

    assert response.status_code == 200
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", [{}, {"action": "ban"}, {"action": None}])
def test_resolving_without_a_valid_action_is_a_400(client_for, staff_client, post, body):
    made = report_post(client_for(2), post.pk).json()
    response = staff_client().post(
        f"/api/v1/moderation/reports/{made['id']}/resolve", body, format="json"
    )
    assert response.status_code == 400
    assert "action" in response.json()


def test_removing_a_reported_user_is_a_400(client_for, staff_client, post):
    made = client_for(2).post(
        "/api/v1/reports", {"target_type": "user", "target_id": 1, "reason": "spam"}, format="json"
    )
    response = staff_client().post(
        f"/api/v1/moderation/reports/{made.json()['id']}/resolve", {"action": "remove"}
    )
    assert response.status_code == 400
    assert "action" in response.json()


def test_resolving_a_missing_report_is_a_404(staff_client):
    response = staff_client().post("/api/v1/moderation/reports/4242/resolve", {"action": "dismiss"})
    assert response.status_code == 404
