"""Authentication errors. Each has a stable code; none tells an attacker which part was wrong."""

from learnwise.errors import AppError, Conflict, Forbidden, InvalidInput, Unauthorized


class InvalidCredentials(Unauthorized):
    code, title = "invalid-credentials", "Invalid email or password"


class InvalidToken(Unauthorized):
    code, title = "invalid-token", "Invalid or expired token"


class InvalidRefreshToken(Unauthorized):
    code, title = "invalid-refresh-token", "Invalid or expired refresh token"


class RefreshTokenReused(Unauthorized):
    code, title = "refresh-token-reused", "Refresh token reuse detected; the session was revoked"
    keeps_changes = True


class SessionRevoked(Unauthorized):
    code, title = "session-revoked", "This session has been signed out"


class WrongCurrentPassword(Forbidden):
    # Not 401: the caller is signed in, and a client must not take a typo for an ended session.
    code, title = "wrong-current-password", "The current password is incorrect"


class CsrfFailed(Forbidden):
    code, title = "csrf-failed", "Missing or invalid CSRF token"


class EmailTaken(Conflict):
    code, title = "email-taken", "An account with this email already exists"


class WeakPassword(InvalidInput):
    code, title = "weak-password", "Password does not meet the policy"


class AccountInactive(Forbidden):
    code, title = "account-inactive", "This account has been deactivated"


class PermissionDenied(Forbidden):
    code, title = "permission-denied", "You do not have permission to do this"


class UnknownRole(InvalidInput):
    code, title = "unknown-role", "Unknown role"


class SsoError(AppError):
    status, code, title = 400, "sso-failed", "Single sign-on failed"


class SsoCallbackFailed(SsoError):
    """A failed sign-on callback. Its state stays spent (the deletion is committed), so one
    state never serves two attempts."""

    keeps_changes = True


class SsoEmailConflict(Conflict):
    code, title = "sso-email-conflict", "An account with this email already exists"
    keeps_changes = True


class SsoIdentityLinked(Conflict):
    code, title = "sso-identity-linked", "This sign-on account is linked to another user"
    keeps_changes = True


class OAuthError(AppError):
    """An error of the OAuth2 token endpoint, with RFC 6749's ``error`` members as well."""

    status, title = 400, "OAuth2 token request failed"

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description, error=error, error_description=description)
        self.code = error  # type: ignore[misc]  # RFC 6749 names the error per instance
        self.status = status  # type: ignore[misc]
