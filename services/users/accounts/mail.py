"""What each kind of account message says: its recipient check, its link, its templates
(`templates/accounts/mail/`). The mailer calls `render` (settings.MAIL_RENDERER) as it sends.

Rendered when the mailer sends, from the account as it is then: a token is made at that moment
(never stored), and a message whose reason has gone (the account deleted, the address changed,
already verified) is skipped rather than sent.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts import tokens
from accounts.models import User
from mailer.models import Message, MessageKind


def link(path: str, **query: str) -> str:
    """An absolute link into the client app at `FRONTEND_URL`."""
    return f"{settings.FRONTEND_URL.rstrip('/')}/{path}?{urlencode(query)}"


def _email_verification(message: Message, user: User) -> dict[str, Any] | None:
    if user.email != message.to or user.email_verified:
        return None
    return {"link": link("verify-email", token=tokens.email_verification_token(user))}


def _password_reset(message: Message, user: User) -> dict[str, Any] | None:
    if user.email != message.to:
        return None
    return {
        "link": link(
            "reset-password",
            uid=tokens.password_reset_uid(user),
            token=tokens.password_reset_token(user),
        ),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }


def _email_change(message: Message, user: User) -> dict[str, Any] | None:
    new_email = message.data.get("new_email")
    if new_email != message.to or user.email == new_email:
        return None
    token = tokens.email_change_token(user, new_email=new_email)
    return {"link": link("confirm-email", token=token), "new_email": new_email}


def _email_changed(message: Message, user: User) -> dict[str, Any] | None:
    # The notice to the old address: nothing to click, just news (and whom to ask if not you).
    return {"new_email": message.data.get("new_email", "")}


_CONTEXTS: dict[str, Callable[[Message, User], dict[str, Any] | None]] = {
    MessageKind.EMAIL_VERIFICATION: _email_verification,
    MessageKind.PASSWORD_RESET: _password_reset,
    MessageKind.EMAIL_CHANGE: _email_change,
    MessageKind.EMAIL_CHANGED: _email_changed,
}


def render(message: Message) -> EmailMultiAlternatives | None:
    """The email for `message` (plain text with an HTML alternative), or None to skip it."""
    user = User.objects.filter(pk=message.user_id, is_active=True).first()
    if user is None:
        return None
    context = _CONTEXTS[message.kind](message, user)
    if context is None:
        return None
    context.update(user=user, site_name=settings.MAIL_SITE_NAME, to=message.to)
    base = f"accounts/mail/{message.kind}"
    subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{base}.txt", context),
        to=[message.to],
        headers={"X-Social-Message-Id": str(message.pk)},
    )
    email.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return email
