"""Where a project's settings file is, without loading the settings models.

`brickyard.settings` validates brickyard.yml with pydantic models, which costs more to import than
many commands spend on their own work. Most projects have no brickyard.yml, and the commands that
run often (`deploy`, `validate`) ask this module first and import the models only when the file is
there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brickyard.settings import Settings

SETTINGS_FILES = ("brickyard.yml", "brickyard.yaml")


def find_settings_file(root: Path) -> Path | None:
    """The project's settings file, or None when it has none (every setting then has its default)."""
    for name in SETTINGS_FILES:
        if (root / name).is_file():
            return root / name
    return None


def settings_if_any(root: Path) -> Settings | None:
    """The project's settings (`settings.load_settings`), or None without importing their models
    when it has no settings file: a caller then goes by the defaults, which configure nothing."""
    if find_settings_file(root) is None:
        return None
    from brickyard.settings import load_settings

    return load_settings(root)
