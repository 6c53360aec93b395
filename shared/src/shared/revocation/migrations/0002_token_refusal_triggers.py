"""Every change that can refuse a token notifies the processes that keep accepted tokens
(shared.revocation.accepted)."""

from django.db import migrations

from shared.revocation.accepted import refusal_trigger_sql

ended_forward, ended_reverse = refusal_trigger_sql(
    "shared_revocation_endedsession", "user_id", "INSERT OR UPDATE"
)
cutoff_forward, cutoff_reverse = refusal_trigger_sql(
    "shared_revocation_sessioncutoff", "user_id", "INSERT OR UPDATE"
)


class Migration(migrations.Migration):
    dependencies = [("shared_revocation", "0001_initial")]

    operations = [
        migrations.RunSQL(ended_forward, ended_reverse),
        migrations.RunSQL(cutoff_forward, cutoff_reverse),
    ]
