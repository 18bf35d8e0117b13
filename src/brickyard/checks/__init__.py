"""Data checks: declared per table, profiled on the target, compared with the previous profile."""
