"""The bundle model: `databricks.yml` and its includes, resolved for one target."""

from brickyard.bundle.model import Bundle
from brickyard.bundle.resolve import LoadOptions, load_bundle

__all__ = ["Bundle", "LoadOptions", "load_bundle"]
