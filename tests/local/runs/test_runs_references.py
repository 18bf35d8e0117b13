"""Dynamic value references resolve from the run, parameters, upstream tasks and for-each input."""

from __future__ import annotations

import pytest

from brickyard.local.runs.references import RefContext, ReferenceError_, UpstreamTask, resolve

CTX = RefContext(
    job_id=7,
    job_name="etl",
    run_id=100,
    start_time_ms=1_700_000_000_000,  # 2023-11-14T22:13:20Z, a Tuesday
    trigger="ONE_TIME",
    host="http://127.0.0.1:1",
    workspace_id="42",
    parameters={"env": "dev", "my-catalog.name": "main"},
    tasks={
        "ingest": UpstreamTask(run_id=101, result_state="SUCCESS", values={"rows": 3, "names": ["a", "b"]})
    },
    task_key="load",
    task_run_id=102,
    item={"id": 5},
    has_item=True,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{job.id}}-{{ job.run_id }}-{{task.run_id}}", "7-100-102"),
        ("{{job.parameters.env}}", "dev"),
        ("{{job.parameters.[env]}}.{{job.parameters.[my-catalog.name]}}", "dev.main"),
        ("{{tasks.[ingest].values.[rows]}}", "3"),
        ("{{job.start_time.iso_date}} {{job.start_time.iso_weekday}}", "2023-11-14 2"),
        ("{{job.trigger.type}}/{{job.name}}/{{task.name}}", "ONE_TIME/etl/load"),
        ("{{tasks.ingest.values.rows}} {{tasks.ingest.values.names}}", '3 ["a","b"]'),
        ("{{tasks.ingest.result_state}} {{tasks.ingest.run_id}}", "success 101"),
        ("{{input}} {{input.id}}", '{"id":5} 5'),
        ("{{workspace.id}} {{job_id}} {{run_id}}", "42 7 102"),
    ],
)
def test_references_resolve(text: str, expected: str) -> None:
    assert resolve({"p": [text]}, CTX) == {"p": [expected]}


@pytest.mark.parametrize(
    "text",
    ["{{job.nope}}", "{{job.parameters.missing}}", "{{tasks.other.values.x}}", "{{tasks.ingest.values.x}}"],
)
def test_unknown_reference_is_an_error(text: str) -> None:
    with pytest.raises(ReferenceError_):
        resolve(text, CTX)
