"""Reports from members, queued for moderators."""
