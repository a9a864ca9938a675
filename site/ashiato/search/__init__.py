"""Internal search over posts and communities."""
