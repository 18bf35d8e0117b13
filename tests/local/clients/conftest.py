"""The Databricks Connect user suite runs in its own environment, not in this one."""

collect_ignore = ["connect_suite", "connect_roundtrip.py"]
