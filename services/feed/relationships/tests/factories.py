"""factory_boy factories for follows, follow requests, blocks and mutes (rows alone: no
counters, no inboxes, no events)."""

import factory

from relationships.models import Block, FollowRequest, Mute


class FollowRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowRequest

    requester_id = factory.Sequence(lambda n: 50_000 + n)
    target_id = factory.Sequence(lambda n: 60_000 + n)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker_id = factory.Sequence(lambda n: 50_000 + n)
    blocked_id = factory.Sequence(lambda n: 60_000 + n)


class MuteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mute

    muter_id = factory.Sequence(lambda n: 50_000 + n)
    muted_id = factory.Sequence(lambda n: 60_000 + n)
