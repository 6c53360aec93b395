"""Production settings: refuses to start with DEBUG on, no ALLOWED_HOSTS or no broker."""

from shared.settings import production

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, BROKER_URL, DEBUG, PUBLIC_BASE_URL

globals().update(
    production(
        debug=DEBUG,
        allowed_hosts=ALLOWED_HOSTS,
        broker_url=BROKER_URL,
        public_base_url=PUBLIC_BASE_URL,
    )
)
