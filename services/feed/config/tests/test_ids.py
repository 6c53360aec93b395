"""Ids in paths and bodies are checked once, at the edge (`shared.ids`), for every route."""

import pytest
from rest_framework import serializers

from shared.ids import MAX_ID, IdField
from shared.testing import id_routes, with_ids

OUT_OF_RANGE = ["0", str(MAX_ID + 1), "99999999999999999999999"]


def test_every_id_in_a_path_goes_through_the_id_converter():
    routes = id_routes()
    assert "/api/v1/posts/<id:post_id>" in routes
    assert [route for route in routes if "<id:" not in route] == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_id_outside_the_database_range_is_a_404_before_any_view_runs(client_for, method, value):
    for route in id_routes():
        response = getattr(client_for(1), method)(with_ids(route, value))
        assert response.status_code == 404, route
        # Django's own JSON 404 (shared.errors): no view ran to say which resource is missing.
        assert response.json() == {"detail": "Not found."}, route


@pytest.mark.django_db
def test_the_largest_id_reaches_the_view(client):
    response = client.get(f"/api/v1/posts/{MAX_ID}")
    assert response.json() == {"detail": "No post with that id."}
    assert client.get(f"/api/v1/users/{MAX_ID}/stats").json()["user_id"] == MAX_ID


class Body(serializers.Serializer):
    post_id = IdField()


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, "x", None, True])
def test_an_id_outside_the_database_range_in_a_body_is_a_field_error(value):
    body = Body(data={"post_id": value})
    assert not body.is_valid()
    assert list(body.errors) == ["post_id"]


@pytest.mark.parametrize("value", [1, MAX_ID, "42"])
def test_an_id_inside_the_range_in_a_body_is_an_int(value):
    body = Body(data={"post_id": value})
    assert body.is_valid()
    assert body.validated_data == {"post_id": int(value)}
