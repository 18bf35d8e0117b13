"""Alerts: rules in brickyard.yml evaluated against run and pipeline history, delivered to webhooks and email."""
