"""Making `import dlt` and `from pyspark import pipelines as dp` mean brickyard's implementation.

pyspark-client ships a `pyspark.pipelines` (Spark Declarative Pipelines: no expectations, and it
needs a JVM driver), and the `dlt` package on PyPI is stubs, so while an update runs both names are
replaced in `sys.modules` (and on the `pyspark` package, because `from pyspark import pipelines`
reads the attribute first) and put back afterwards.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

from brickyard.pipelines import api

_NAMES = ("dlt", "pyspark.pipelines")


def build_module(name: str) -> types.ModuleType:
    module = types.ModuleType(name, "Lakeflow / DLT pipeline API, implemented by brickyard for local runs.")
    for public in api.PUBLIC_NAMES:
        setattr(module, public, getattr(api, public))
    module.__all__ = list(api.PUBLIC_NAMES)  # type: ignore[attr-defined]
    return module


@contextmanager
def pipeline_modules() -> Iterator[None]:
    import pyspark

    saved = {name: sys.modules.get(name) for name in _NAMES}
    missing = object()
    saved_attribute = getattr(pyspark, "pipelines", missing)
    replacement = build_module("pyspark.pipelines")
    sys.modules["dlt"] = build_module("dlt")
    sys.modules["pyspark.pipelines"] = replacement
    pyspark.pipelines = replacement  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        if saved_attribute is missing:
            if hasattr(pyspark, "pipelines"):
                delattr(pyspark, "pipelines")
        else:
            pyspark.pipelines = saved_attribute  # type: ignore[attr-defined]
