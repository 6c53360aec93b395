"""Ended sign-ins as the services that verify tokens locally know them (docs/security.md).

The users service ends a sign-in (its `Session`, a token's `sid` claim) on logout, on a
revocation from the session list and on a reused refresh token, and every sign-in of an account
on a password change or reset. It tells the other services with two events
(`users.session.ended`, `users.sessions.ended`); each keeps them here, and its authentication
refuses the tokens they name in the same statement as its deleted-account check
(`shared.revocation.authentication`). A long-lived token is a session too: ending it travels
the same way.
"""
