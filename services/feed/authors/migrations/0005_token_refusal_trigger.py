"""A deleted account, or an id the users service says it never had, refuses tokens: the change
notifies the processes that keep accepted tokens (shared.revocation.accepted)."""

from django.db import migrations

from shared.revocation.accepted import refusal_trigger_sql

forward, reverse = refusal_trigger_sql(
    "authors_author", "id", "INSERT OR UPDATE OF deleted_at, missing_since"
)


class Migration(migrations.Migration):
    dependencies = [("authors", "0004_author_is_private")]

    operations = [migrations.RunSQL(forward, reverse)]
