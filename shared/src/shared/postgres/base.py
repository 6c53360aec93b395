"""Django's PostgreSQL backend, whose per-request health check asks the socket, not the server.

With `CONN_HEALTH_CHECKS` on, Django checks a kept connection before a request's first
statement by sending `SELECT 1`: a round trip on every request, which on the feed's floor view
took as long as the request's one real statement. A connection the server has dropped (a
restart, `pg_terminate_backend`, a failover, an idle timeout) has already been told so: the
server sends a FATAL message and closes, so the socket of an idle connection turns readable.
Here the check polls the socket without waiting; only when the server has said something does it
run Django's `SELECT 1` (which reads what was sent and closes the connection if it is dead), so a
dropped connection is still replaced before the request uses it. An idle connection the
server never hears of again (a cable cut, no FIN) is not found by either check until a statement
runs into the connection timeout.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
            or self.pool
        ):
            return
        if self.server_spoke():
            super().close_if_health_check_failed()
        else:
            self.health_check_done = True

    def server_spoke(self) -> bool:
        """Whether the server sent anything (or hung up) since the last statement's answer."""
        try:
            descriptor = self.connection.fileno()
        except base.Database.InterfaceError:  # closed on this side already
            return True
        poller = select.poll()
        poller.register(descriptor, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
