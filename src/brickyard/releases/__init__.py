"""Releases: what every deploy recorded, and moving a target between them (rollback, promotion)."""
