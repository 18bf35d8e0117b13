"""What a project declares about its tables (`checks:` in brickyard.yml, or `checks/*.yml`).

    checks:
      warehouse: Serverless Starter Warehouse   # name or id; default: the first running one
      tables:
        main.sales.orders:
          row_count: {min: 1, max: 10000000}
          freshness: {column: ordered_at, max_age_hours: 26}
          columns:
            order_id: {not_null: true, unique: true}
            status: {accepted_values: [placed, shipped, delivered], max_null_rate: 0.01}
            customer_id: {distinct: {min: 10}}
          drift: {row_count: 0.5, null_rate: 0.05, distinct: 0.5}

`drift` compares with the table's previous profile: `row_count` and `distinct` are relative
changes (0.5 = half up or down), `null_rate` is a change in the share of nulls (0.05 = five points).
A file per table under `checks/` holds the same rules with a `table:` key.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Rule):
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class ColumnRules(_Rule):
    not_null: bool = False
    unique: bool = False
    max_null_rate: float | None = Field(default=None, ge=0, le=1)
    distinct: Range | None = None
    accepted_values: list[Any] | None = None


class Freshness(_Rule):
    column: str
    max_age_hours: float = Field(gt=0)


class Drift(_Rule):
    row_count: float | None = Field(default=None, gt=0)
    null_rate: float | None = Field(default=None, gt=0, le=1)
    distinct: float | None = Field(default=None, gt=0)


class TableRules(_Rule):
    row_count: Range | None = None
    freshness: Freshness | None = None
    columns: dict[str, ColumnRules] = Field(default_factory=dict)
    drift: Drift | None = None


class TableFile(TableRules):
    table: str


class ChecksSettings(_Rule):
    warehouse: str | None = None
    tables: dict[str, TableRules] = Field(default_factory=dict)
    directory: str = "checks"
    """Folder of one-file-per-table rules, relative to the project root."""
    keep_profiles: int = Field(default=30, ge=2)
