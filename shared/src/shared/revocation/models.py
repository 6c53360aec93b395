"""The sign-ins the users service ended, kept until no token of theirs can still be valid."""

from django.db import models


class EndedSession(models.Model):
    """One ended sign-in: every token whose `sid` is `session_id` is refused."""

    session_id = models.BigIntegerField(primary_key=True)
    user_id = models.BigIntegerField()
    # No token of the session is valid past this (the session's own end); the row goes after
    # it. NULL: a session whose tokens never expire, kept for good.
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="revocation_session_expires")]

    def __str__(self) -> str:
        return f"session {self.session_id} of user {self.user_id} ended"


class SessionCutoff(models.Model):
    """Every sign-in of an account up to one session id ended (a password change or reset).

    Session ids only grow, so a sign-in made afterwards is above the cutoff and unaffected;
    tokens without a `sid` (from before sessions existed) are below it.
    """

    user_id = models.BigIntegerField(primary_key=True)
    through_session_id = models.BigIntegerField()
    # As `EndedSession.expires_at`: the latest end of the sessions it ended.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="revocation_cutoff_expires")]

    def __str__(self) -> str:
        return f"sessions of user {self.user_id} through {self.through_session_id} ended"
