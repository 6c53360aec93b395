"""The feed's upkeep (shared.periodic): PERIODIC_JOBS, run once as a Kubernetes CronJob does."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from shared.idempotency.models import IdempotencyRecord
from shared.revocation.models import EndedSession
from shared.throttling.models import RateLimitCounter

pytestmark = pytest.mark.django_db


def test_the_purges_are_scheduled_hourly_and_the_trending_tags_every_five_minutes():
    from django.conf import settings

    assert settings.PERIODIC_JOBS == {
        "purge_idempotency_keys": 3600,
        "purge_rate_limit_counters": 3600,
        "prune_ended_sessions": 3600,
        "refresh_trending_tags": 300,
        "prune_pending_media": 3600,
    }


def test_run_periodic_jobs_once_runs_every_job():
    now = timezone.now()
    IdempotencyRecord.objects.create(
        scope="user:1",
        key="expired",
        fingerprint="0" * 64,
        state="completed",
        started_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
    )
    RateLimitCounter.objects.create(key="writes:1", window_end=1, count=3)
    EndedSession.objects.create(session_id=5, user_id=7, expires_at=now - timedelta(hours=1))
    call_command("run_periodic_jobs", "--once")
    assert not IdempotencyRecord.objects.exists()
    assert not RateLimitCounter.objects.exists()
    assert not EndedSession.objects.exists()


@override_settings(PERIODIC_JOBS={"no_such_command": 60, "purge_rate_limit_counters": 60})
def test_a_failing_job_fails_the_run_but_the_others_still_run():
    RateLimitCounter.objects.create(key="writes:1", window_end=1, count=3)
    with pytest.raises(CommandError, match="no_such_command"):
        call_command("run_periodic_jobs", "--once")
    assert not RateLimitCounter.objects.exists()
