"""Communities with BBS topics and events."""
