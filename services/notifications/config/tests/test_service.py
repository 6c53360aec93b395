"""The service's own plumbing: probes, metrics, JSON errors with the request id, the committed
schema."""

from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

COMMITTED = settings.REPO_DIR / "docs" / "openapi" / "notifications.yaml"


def test_health_answers_and_readiness_checks_the_database(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ok"


def test_metrics_answer_on_the_services_own_port_whatever_the_host(client, db):
    response = client.get("/metrics", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert "http_requests_total" in response.content.decode()


def test_an_unknown_path_is_a_json_404_that_echoes_the_request_id(client):
    response = client.get("/api/v1/no-such-endpoint", HTTP_X_REQUEST_ID="req-1")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert response["X-Request-ID"] == "req-1"


def test_committed_schema_matches_the_generated_one():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    generated = OpenApiYamlRenderer().render(schema, renderer_context={}).decode()
    assert COMMITTED.exists(), "docs/openapi/notifications.yaml is missing: run `make openapi`"
    assert generated == COMMITTED.read_text(), (
        "docs/openapi/notifications.yaml is out of date: run `make openapi` and commit the result"
    )
