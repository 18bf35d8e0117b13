"""Talking to a workspace, real or local, through databricks-sdk."""
