"""Developer settings: the native stack started by `make run`."""

from shared.settings import LOCAL_THROTTLE_RATES, with_throttle_rates

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# The end-to-end suite and the benchmark write from 127.0.0.1 through a handful of accounts.
REST_FRAMEWORK = with_throttle_rates(REST_FRAMEWORK, LOCAL_THROTTLE_RATES)

# A developer's data is small: GET /explore/tags counts the tags afresh at every read rather
# than showing the periodic job's count (docs/discovery.md).
TRENDING_TAGS_MAX_AGE_SECONDS = env.int("TRENDING_TAGS_MAX_AGE_SECONDS", default=0)
