# The HTTP dispatcher's outbox (the removed `outbox` app) gives way to shared.events: events it
# had not delivered yet are carried over in the new format (accounts.legacy_outbox). Its table
# stays while pods of the previous release may write to it; a later release drops it.

from django.db import migrations


def carry_over(apps, schema_editor):
    from accounts.legacy_outbox import carry_over_http_outbox

    carry_over_http_outbox()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("shared_events", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
    ]
