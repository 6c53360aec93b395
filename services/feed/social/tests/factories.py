"""factory_boy factories for follows and counters."""

import factory

from relationships.models import Follow
from social.models import UserStats


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower_id = factory.Sequence(lambda n: 20_000 + n)
    followee_id = factory.Sequence(lambda n: 30_000 + n)


class UserStatsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserStats

    user_id = factory.Sequence(lambda n: 40_000 + n)
