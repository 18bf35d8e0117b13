"""brickyard: DataOps for Databricks bundles, on a real workspace or an embedded local one."""

__version__ = "0.1.0"
