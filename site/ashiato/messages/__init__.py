"""Private messages between members."""
