"""Persistent state of the local workspace: SQLite metadata plus files under the home directory."""
