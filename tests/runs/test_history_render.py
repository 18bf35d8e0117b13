"""How `brickyard runs` keeps and shows dbt results and pipeline updates (no server)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from brickyard.runs.dbt_history import from_run_results
from brickyard.runs.history import History, RunRecord, TaskRecord, trend
from brickyard.runs.history_store import HistoryStore
from brickyard.runs.pipeline import Expectation, FlowOutcome, UpdateOutcome
from brickyard.runs.report import RunsOptions, _render

RUN_RESULTS = {
    "args": {"which": "build"},
    "elapsed_time": 4.25,
    "results": [
        {"unique_id": "model.shop.orders", "status": "success", "execution_time": 1.5, "failures": None},
        {
            "unique_id": "test.shop.not_null_orders_id",
            "status": "fail",
            "execution_time": 0.2,
            "failures": 3,
            "message": "Got 3 results, configured to fail if != 0",
        },
    ],
}


def _history() -> History:
    dbt = from_run_results("build", 11, RUN_RESULTS)
    run = RunRecord(
        10, 1, "shop", "TERMINATED", "FAILED", 1_000, 6.0, "ONE_TIME",
        tasks=(TaskRecord("build", "TERMINATED", "FAILED", 1_000, 5.0),), dbt=(dbt,),
    )  # fmt: skip
    flows = [FlowOutcome("orders", "COMPLETED", 10, 2, [Expectation("valid_id", "orders", 8, 2)])]
    update = UpdateOutcome("p1", "u1", "COMPLETED", "", 0.0, flows, start_ms=2_000)
    return History("dev", [run], [trend("shop", [run])], {"orders_pipeline": [update]})


def test_dbt_results_and_pipeline_updates_survive_the_history_file(tmp_path: Path) -> None:
    history = _history()
    store = HistoryStore(tmp_path)
    assert store.save("dev", history.runs) == 1
    assert store.save_updates("dev", "orders_pipeline", history.updates["orders_pipeline"]) == 1
    (kept,) = store.runs("dev", "shop", 5)
    assert kept == history.runs[0]
    assert kept.dbt[0].counts == {"fail": 1, "success": 1}
    assert [n.unique_id for n in kept.dbt[0].failed] == ["test.shop.not_null_orders_id"]
    (update,) = store.updates("dev", "orders_pipeline", 5)
    assert update.as_json() == history.updates["orders_pipeline"][0].as_json()


def test_runs_text_shows_dbt_nodes_with_tasks_and_each_datasets_figures() -> None:
    console = Console(record=True, width=200)
    _render(console, _history(), RunsOptions(tasks=True))
    text = console.export_text()
    assert "dbt build: 1 fail, 1 success in 4.2s" in text
    assert "test.shop.not_null_orders_id fail" in text
    assert "Pipeline orders_pipeline" in text and "valid_id 8/2" in text
    console = Console(record=True, width=200)
    _render(console, _history(), RunsOptions(tasks=False))
    assert "dbt build" not in console.export_text()
