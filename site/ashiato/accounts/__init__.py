"""Invitation-only membership: invitations, sign-up, verification, login, withdrawal."""
