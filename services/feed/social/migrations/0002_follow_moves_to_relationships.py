# Follow now lives in `relationships` (its 0001 took it over, table and all): only this app's
# state forgets it; the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('relationships', '0001_initial'),
        ('social', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Follow')],
            database_operations=[],
        ),
    ]
