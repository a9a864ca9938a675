"""Diaries with comments and visibility levels."""
