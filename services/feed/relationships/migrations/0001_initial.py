# Follow moves here from `social`, keeping its table (social_follow): this migration only adds it
# to this app's state, social.0002 only removes it from that app's; no data is copied.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('social', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Follow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('follower_id', models.BigIntegerField()),
                        ('followee_id', models.BigIntegerField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'social_follow',
                        'indexes': [models.Index(models.F('followee_id'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='follows_followee_recent'), models.Index(models.F('follower_id'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='follows_follower_recent')],
                        'constraints': [models.UniqueConstraint(models.F('follower_id'), models.F('followee_id'), name='follows_unique_pair'), models.CheckConstraint(condition=models.Q(('follower_id', models.F('followee_id')), _negated=True), name='follows_not_self')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
