"""Customer scoring rules, kept free of Spark so they are unit-tested in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass

TIERS = (("platinum", 5000.0), ("gold", 1000.0), ("silver", 250.0))


@dataclass(frozen=True)
class CustomerStats:
    customer_id: str
    orders: int
    revenue: float
    refunds: int


def tier(revenue: float) -> str:
    """Loyalty tier by lifetime revenue; the thresholds are the business's, not ours."""
    for name, floor in TIERS:
        if revenue >= floor:
            return name
    return "bronze"


def churn_risk(stats: CustomerStats) -> float:
    """0 (loyal) … 1 (likely to leave): few orders and many refunds raise it."""
    if stats.orders <= 0:
        return 1.0
    refund_rate = stats.refunds / stats.orders
    frequency = min(stats.orders / 10.0, 1.0)
    return round(max(0.0, min(1.0, 0.6 * refund_rate + 0.4 * (1.0 - frequency))), 4)


def score(stats: CustomerStats) -> dict[str, object]:
    return {
        "customer_id": stats.customer_id,
        "orders": stats.orders,
        "revenue": round(stats.revenue, 2),
        "tier": tier(stats.revenue),
        "churn_risk": churn_risk(stats),
    }
