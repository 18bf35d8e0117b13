"""Alert rules on pipeline history: expectation failure rates and data volume drops, from the figures
`runs.update_history` reads out of the event log."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from brickyard.alerts.evaluate import pipeline_alerts
from brickyard.alerts.model import AlertSettings, ExpectationRateRule, VolumeDropRule
from brickyard.runs.pipeline import Expectation, FlowOutcome, UpdateOutcome


def _update(
    update_id: str, rows: dict[str, int | None], failed: int = 0, state: str = "COMPLETED"
) -> UpdateOutcome:
    flows = [
        FlowOutcome(
            name, "COMPLETED", count, expectations=[Expectation("valid_id", name, 100 - failed, failed)]
        )
        for name, count in rows.items()
    ]
    return UpdateOutcome("p1", update_id, state, "", 0.0, flows)


def test_an_expectation_failing_more_records_than_the_threshold_fires_for_the_newest_update_only() -> None:
    rule = ExpectationRateRule(id="q", type="expectation_failure_rate", threshold=0.05, notify=["x"])
    history = {"sales": [_update("u2", {"orders": 10}, failed=6), _update("u1", {"orders": 10}, failed=50)]}
    (alert,) = pipeline_alerts(rule, history)
    assert (alert.subject, alert.event) == ("sales/orders", "u2/valid_id")
    assert "failed 6 of 100 records (6.0%, limit 5.0%)" in alert.message
    history["sales"][0] = _update("u3", {"orders": 10}, failed=5)  # exactly at the threshold: fine
    assert pipeline_alerts(rule, history) == []
    elsewhere = ExpectationRateRule(
        id="q", type="expectation_failure_rate", threshold=0.0, datasets=["x"], notify=["x"]
    )
    assert pipeline_alerts(elsewhere, {"sales": [_update("u2", {"orders": 1}, failed=6)]}) == []


def test_a_volume_drop_compares_with_the_median_of_earlier_completed_updates() -> None:
    rule = VolumeDropRule(id="v", type="volume_drop", drop=0.5, runs=3, notify=["x"])
    earlier = [_update("u3", {"orders": 900}), _update("u2", {"orders": 1000}), _update("u1", {"orders": 5})]
    (alert,) = pipeline_alerts(rule, {"sales": [_update("u4", {"orders": 400}), *earlier]})
    assert (
        alert.event == "u4"
        and "wrote 400 rows, the median of the 3 update(s) before was 900" in alert.message
    )
    assert pipeline_alerts(rule, {"sales": [_update("u4", {"orders": 450}), *earlier]}) == []
    failed_latest = _update("u5", {"orders": 0}, state="FAILED")  # a failed update is not a volume
    assert pipeline_alerts(rule, {"sales": [failed_latest, _update("u4", {"orders": 450}), *earlier]}) == []
    assert pipeline_alerts(rule, {"sales": [_update("u1", {"orders": 0})]}) == []  # nothing to compare


def test_rules_are_validated_with_their_key() -> None:
    with pytest.raises(ValidationError) as raised:
        AlertSettings.model_validate(
            {
                "destinations": {
                    "mail": {
                        "type": "email",
                        "to": ["nobody"],
                        "smtp": {"host": "h", "ssl": True, "starttls": True},
                    }
                },
                "rules": [{"id": "x", "type": "volume_drop", "drop": 1.5, "notify": ["mail"]}],
            }
        )
    found = {
        (".".join(map(str, e["loc"])), e["msg"].removeprefix("Value error, ")) for e in raised.value.errors()
    }
    assert ("destinations.mail.email.to", "not an email address: nobody") in found
    assert ("destinations.mail.email.smtp", "choose one of ssl and starttls") in found
    assert any(loc == "rules.0.volume_drop.drop" for loc, _ in found)
    with pytest.raises(ValidationError, match="exactly one of url, url_env"):
        AlertSettings.model_validate({"destinations": {"hook": {"type": "webhook"}}})
