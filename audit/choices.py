from __future__ import annotations

from django.db import models


class AuditEvent(models.TextChoices):
    """What the audit log records (security issue: OWASP ASVS level 2, NHS MFA policy)."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_IN_LOCKED = "sign_in_locked", "Sign-in refused: too many failures"
    SIGN_OUT = "sign_out", "Signed out"
    SESSION_EXPIRED = "session_expired", "Session expired"
    SESSIONS_ENDED = "sessions_ended", "Sessions ended"
    MFA_ENROLLED = "mfa_enrolled", "Second factor set up"
    MFA_VERIFIED = "mfa_verified", "Second factor checked"
    MFA_FAILED = "mfa_failed", "Second factor code refused"
    MFA_RESET = "mfa_reset", "Second factor reset"
    RECOVERY_CODES_ISSUED = "recovery_codes_issued", "Recovery codes issued"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    PASSWORD_RESET_THROTTLED = "password_reset_throttled", "Password reset email held back"
    PERMISSION_CHANGED = "permission_changed", "Permissions changed"
    MEMBERSHIP_CHANGED = "membership_changed", "Membership changed"
    ACCESS_DENIED = "access_denied", "Access refused (403)"
    NOT_FOUND = "not_found", "Not found or not visible (404)"
    EVIDENCE_DOWNLOAD = "evidence_download", "Evidence downloaded"
    PAPER_DOWNLOAD = "paper_download", "Committee paper downloaded"
    EXPORT = "export", "Data exported"
    REVIEW_SHARED = "review_shared", "Review shared with a partner"
    REVIEW_UNSHARED = "review_unshared", "Review no longer shared with a partner"
    IMPORT = "import", "Action plan imported"
    AUDIT_PRUNED = "audit_pruned", "Old audit entries deleted"
    API_TOKEN_CREATED = "api_token_created", "API token created"
    API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"
    API_WRITE = "api_write", "Change made through the API"
    CALENDAR_FEED_CREATED = "calendar_feed_created", "Calendar feed address created"
    CALENDAR_FEED_REVOKED = "calendar_feed_revoked", "Calendar feed address stopped"
