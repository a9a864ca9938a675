"""Transactional outbox: mail rows written with the change, delivered by a sender."""
