"""A deleted account refuses tokens: the change notifies the processes that keep accepted
tokens (shared.revocation.accepted)."""

from django.db import migrations

from shared.revocation.accepted import refusal_trigger_sql

forward, reverse = refusal_trigger_sql("actors_actor", "id", "INSERT OR UPDATE OF deleted")


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial")]

    operations = [migrations.RunSQL(forward, reverse)]
