"""The committed OpenAPI document (docs/openapi/users.yaml) is the one the code generates.

Regenerate it with `make openapi` after changing an endpoint, and review the diff.
"""

from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

COMMITTED = settings.REPO_DIR / "docs" / "openapi" / "users.yaml"


def test_committed_schema_matches_the_generated_one():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    generated = OpenApiYamlRenderer().render(schema, renderer_context={}).decode()
    assert COMMITTED.exists(), "docs/openapi/users.yaml is missing: run `make openapi`"
    assert generated == COMMITTED.read_text(), (
        "docs/openapi/users.yaml is out of date: run `make openapi` and commit the result"
    )
