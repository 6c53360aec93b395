"""Ids in paths are checked once, at the edge (`shared.ids`), for every route."""

import pytest

from shared.ids import MAX_ID
from shared.testing import id_routes, with_ids


def test_every_id_in_a_path_goes_through_the_id_converter():
    routes = id_routes()
    assert "/api/v1/users/<id:pk>" in routes
    assert [route for route in routes if "<id:" not in route] == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", str(MAX_ID + 1), "99999999999999999999999"])
def test_an_id_outside_the_database_range_is_a_404_before_any_view_runs(client, value):
    for route in id_routes():
        response = client.get(with_ids(route, value))
        assert response.status_code == 404, route
        # Django's own JSON 404 (shared.errors): no view ran (the internal one would say 401).
        assert response.json() == {"detail": "Not found."}, route
