"""The actor replica follows account events, whatever order they arrive in."""

import pytest
from django.db import transaction

from actors.models import Actor
from actors.services import (
    ActorSummary,
    apply_account_state,
    mark_account_deleted,
    remember_actor,
)

pytestmark = pytest.mark.django_db


def test_a_newer_account_state_replaces_an_older_one_and_an_older_one_changes_nothing():
    apply_account_state(sequence=2, summary=ActorSummary(7, "ann2", "http://x/a.png"))
    apply_account_state(sequence=1, summary=ActorSummary(7, "ann", None))
    actor = Actor.objects.get(pk=7)
    assert (actor.username, actor.avatar_url, actor.last_sequence) == ("ann2", "http://x/a.png", 2)


def test_a_summary_from_a_feed_event_fills_in_but_never_overrides_an_account_event():
    remember_actor(ActorSummary(7, "from-feed"))
    assert Actor.objects.get(pk=7).username == "from-feed"
    apply_account_state(sequence=1, summary=ActorSummary(7, "ann"))
    remember_actor(ActorSummary(7, "stale-from-feed"))
    assert Actor.objects.get(pk=7).username == "ann"


def test_a_deleted_account_is_never_revived_by_a_late_state():
    with transaction.atomic():
        mark_account_deleted(sequence=3, user_id=7)
    apply_account_state(sequence=4, summary=ActorSummary(7, "ann"))
    remember_actor(ActorSummary(7, "ann"))
    actor = Actor.objects.get(pk=7)
    assert (actor.deleted, actor.username) == (True, "")
