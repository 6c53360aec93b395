"""Developer settings: the native stack started by `make run` (and the end-to-end suite's)."""

from shared.settings import LOCAL_THROTTLE_RATES, with_throttle_rates

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Everything comes from 127.0.0.1 here: the per-client policies are loosened so that the
# end-to-end suite and the benchmark never meet them. The per-address ones (a message's
# recipient) and the per-email sign-in limit stay as they are.
LOCAL_USERS_THROTTLE_RATES = {
    **LOCAL_THROTTLE_RATES,
    "signup": "120/min",
    "token": "120/min",
    "password_reset": "600/min",
    "email_verification": "600/min",
}
REST_FRAMEWORK = with_throttle_rates(REST_FRAMEWORK, LOCAL_USERS_THROTTLE_RATES)
