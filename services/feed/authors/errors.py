"""The authors app's domain errors."""

from rest_framework.exceptions import AuthenticationFailed


class AccountDeleted(AuthenticationFailed):
    """The caller's account has been deleted: their tokens are refused from then on (401).

    Raised by `lock_authors_for_writing` when the writer turns out deleted, and by
    `authors.authentication` for every later request. An `AuthenticationFailed`, so that DRF
    answers both alike (401 with `WWW-Authenticate`).
    """

    default_detail = "This account has been deleted."
    default_code = "user_deleted"
