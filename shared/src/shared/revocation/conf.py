"""What a verifying service adds to its settings; importable before the apps are loaded."""

SESSION_ENDED = "users.session.ended"
SESSIONS_ENDED = "users.sessions.ended"

# Merged into the service's EVENT_HANDLERS (its queue is bound to exactly those types).
EVENT_HANDLERS = {
    SESSION_ENDED: "shared.revocation.events.apply_session_ended",
    SESSIONS_ENDED: "shared.revocation.events.apply_sessions_ended",
}
