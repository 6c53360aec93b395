"""gunicorn's logger, minus its access log (`logger_class` in `shared.gunicorn_conf`).

Django writes each request's access line, with the request id (`shared.logging`). gunicorn 27
builds an access record for every request whenever a logging configuration is given, as
`logconfig_dict` is for the JSON error log, even with `accesslog` unset and no handler to
write the record to: about 8% of the CPU a floor request cost (`docs/performance.md`).
"""

from typing import Any

from gunicorn import glogging


class Logger(glogging.Logger):
    @property
    def access_log_enabled(self) -> bool:
        return False

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """Nothing: the service's `AccessLogMiddleware` has logged the request."""
