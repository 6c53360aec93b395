# Account events now come over the broker with a per-account sequence, starting at 1, which the
# HTTP dispatcher's event ids (last_event_id) are not comparable with: a new column, so that each
# account's next event applies (and it carries the whole state). `last_event_id` stays for pods
# of the previous release during a rolling deploy; a later release drops it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("authors", "0002_author_missing_since"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="name",
            field=models.CharField(blank=True, db_default="", max_length=150),
        ),
        migrations.AddField(
            model_name="author",
            name="last_event_sequence",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
