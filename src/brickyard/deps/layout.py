"""Where each file of the workflow lives, for one runtime variant.

```
requirements/runtime-baseline[-ml].in        what the runtime ships (deps snapshot)
requirements/additional-packages[-ml].in     what the project adds (written by people)
requirements/requirements-combined[-ml].in   both merged (deps lock)
requirements/requirements[-ml].txt           the pinned, hashed lock (deps lock)
init/enforce-requirements[-ml].sh            makes a cluster match the lock (deps init-script)
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brickyard.deps.runtimes import VARIANTS, Runtime


@dataclass(frozen=True)
class Layout:
    root: Path
    directory: str
    suffix: str
    """"", "-ml" or "-gpu": the runtime variant's file-name suffix."""

    @classmethod
    def of(cls, root: Path, directory: str, runtime: Runtime) -> Layout:
        return cls(root, directory, runtime.suffix)

    def _rel(self, name: str) -> str:
        return f"{self.directory.rstrip('/')}/{name}"

    @property
    def baseline(self) -> str:
        return self._rel(f"runtime-baseline{self.suffix}.in")

    @property
    def additions(self) -> str:
        return self._rel(f"additional-packages{self.suffix}.in")

    @property
    def combined(self) -> str:
        return self._rel(f"requirements-combined{self.suffix}.in")

    @property
    def lock(self) -> str:
        return self._rel(f"requirements{self.suffix}.txt")

    @property
    def init_script(self) -> str:
        return f"init/enforce-requirements{self.suffix}.sh"

    def path(self, relative: str) -> Path:
        return self.root / relative


def existing_layouts(root: Path, directory: str) -> list[Layout]:
    """Every variant of the project that has a baseline (what `deps check` and `scan` look at)."""
    layouts = [Layout(root, directory, f"-{v}" if v else "") for v in VARIANTS]
    return [layout for layout in layouts if layout.path(layout.baseline).is_file()]
