"""Profiles with photos and per-field visibility."""
