from orders_etl.scoring import CustomerStats, churn_risk, score, tier


def test_tiers_follow_lifetime_revenue() -> None:
    assert tier(0) == "bronze"
    assert tier(250) == "silver"
    assert tier(999.99) == "silver"
    assert tier(1000) == "gold"
    assert tier(12_000) == "platinum"


def test_churn_risk_rises_with_refunds_and_falls_with_frequency() -> None:
    loyal = CustomerStats("c1", orders=12, revenue=3000, refunds=0)
    unhappy = CustomerStats("c2", orders=4, revenue=300, refunds=3)
    assert churn_risk(loyal) == 0.0
    assert churn_risk(unhappy) > 0.6
    assert churn_risk(CustomerStats("c3", orders=0, revenue=0, refunds=0)) == 1.0


def test_score_rounds_revenue_and_names_the_tier() -> None:
    assert score(CustomerStats("c9", orders=2, revenue=1234.5678, refunds=1)) == {
        "customer_id": "c9",
        "orders": 2,
        "revenue": 1234.57,
        "tier": "gold",
        "churn_risk": 0.62,
    }
