"""Pipelines API definitions through the SDK: create, edit, get, list, delete, and their errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from databricks.sdk.errors import BadRequest, NotFound, ResourceAlreadyExists, ResourceConflict
from databricks.sdk.service import pipelines


def _library(path: str) -> list[pipelines.PipelineLibrary]:
    return [pipelines.PipelineLibrary(file=pipelines.FileLibrary(path=path))]


def test_create_get_edit_and_delete_a_pipeline(w: Any) -> None:
    name = f"p-{uuid.uuid4().hex[:8]}"
    created = w.pipelines.create(
        name=name,
        catalog="main",
        schema="sales",
        configuration={"k": "v"},
        libraries=_library("/Workspace/Shared/x.py"),
    )
    pipeline_id = created.pipeline_id
    assert created.effective_settings.id == pipeline_id

    got = w.pipelines.get(pipeline_id)
    assert (got.name, got.state.value, got.creator_user_name) == (name, "IDLE", w.current_user.me().user_name)
    assert (
        got.spec.configuration == {"k": "v"} and got.spec.libraries[0].file.path == "/Workspace/Shared/x.py"
    )
    assert not got.latest_updates and got.run_as_user_name == got.creator_user_name

    w.pipelines.update(pipeline_id, name=name + "-2", catalog="main", schema="sales", development=True)
    edited = w.pipelines.get(pipeline_id)
    assert edited.name == name + "-2" and edited.spec.development and not edited.spec.libraries
    assert edited.last_modified >= got.last_modified
    with pytest.raises(ResourceConflict):  # another writer edited it since it was read
        w.pipelines.update(pipeline_id, name=name, expected_last_modified=1)

    w.pipelines.delete(pipeline_id)
    with pytest.raises(NotFound):
        w.pipelines.get(pipeline_id)
    with pytest.raises(NotFound):
        w.pipelines.start_update(pipeline_id)


def test_names_are_unique_unless_duplicates_are_allowed_and_dry_runs_create_nothing(w: Any) -> None:
    name = f"dup-{uuid.uuid4().hex[:8]}"
    first = w.pipelines.create(name=name).pipeline_id
    with pytest.raises(ResourceAlreadyExists, match="already used"):
        w.pipelines.create(name=name)
    second = w.pipelines.create(name=name, allow_duplicate_names=True).pipeline_id
    assert second != first

    dry = w.pipelines.create(name=f"{name}-dry", dry_run=True)
    assert dry.pipeline_id is None and dry.effective_settings.name == f"{name}-dry"
    assert list(w.pipelines.list_pipelines(filter=f"name LIKE '{name}-dry'")) == []

    with pytest.raises(ResourceAlreadyExists):  # renaming onto a taken name
        w.pipelines.update(second, name=f"{name}-other", allow_duplicate_names=False)
        w.pipelines.update(first, name=f"{name}-other")


def test_list_filters_by_name_or_notebook_and_pages(w: Any) -> None:
    prefix = f"ls-{uuid.uuid4().hex[:8]}"
    ids = [w.pipelines.create(name=f"{prefix}-{i}").pipeline_id for i in range(3)]
    notebook = [pipelines.PipelineLibrary(notebook=pipelines.NotebookLibrary(path="/Shared/nb"))]
    with_notebook = w.pipelines.create(name=f"{prefix}-nb", libraries=notebook).pipeline_id

    listed = list(w.pipelines.list_pipelines(filter=f"name LIKE '{prefix}-%'", max_results=2))
    assert [p.pipeline_id for p in listed] == [*ids, with_notebook]
    assert {p.state.value for p in listed} == {"IDLE"}
    page = w.api_client.do(
        "GET", "/api/2.0/pipelines", query={"filter": f"name LIKE '{prefix}%'", "max_results": 3}
    )
    assert len(page["statuses"]) == 3 and page["next_page_token"]
    rest = w.api_client.do("GET", "/api/2.0/pipelines", query={"page_token": page["next_page_token"]})
    assert [s["pipeline_id"] for s in rest["statuses"]] == [with_notebook] and "next_page_token" not in rest
    newest_first = list(w.pipelines.list_pipelines(filter=f"name LIKE '{prefix}%'", order_by=["id desc"]))
    assert newest_first[0].pipeline_id == with_notebook

    by_notebook = list(w.pipelines.list_pipelines(filter="notebook='/Workspace/Shared/nb'"))
    assert [p.pipeline_id for p in by_notebook] == [with_notebook]
    with pytest.raises(BadRequest, match="supported filters"):
        list(w.pipelines.list_pipelines(filter="creator = 'me'"))
    with pytest.raises(BadRequest, match="100"):
        list(w.pipelines.list_pipelines(max_results=101))


def test_malformed_settings_are_400s_that_name_the_field(w: Any) -> None:
    with pytest.raises(BadRequest, match="name"):
        w.api_client.do("POST", "/api/2.0/pipelines", body={"catalog": "main"})
    with pytest.raises(BadRequest, match=r"libraries\[0\]"):
        w.api_client.do("POST", "/api/2.0/pipelines", body={"name": "bad", "libraries": [{"file": {}}]})
    with pytest.raises(BadRequest, match="schema and target"):
        w.api_client.do("POST", "/api/2.0/pipelines", body={"name": "bad", "schema": "a", "target": "b"})


def test_pipeline_permissions_need_the_pipeline(w: Any) -> None:
    pipeline_id = w.pipelines.create(name=f"perm-{uuid.uuid4().hex[:8]}").pipeline_id
    levels = {
        lvl.permission_level.value for lvl in w.pipelines.get_permission_levels(pipeline_id).permission_levels
    }
    assert "CAN_RUN" in levels
    owners = w.pipelines.get_permissions(pipeline_id).access_control_list
    assert any(a.all_permissions[0].permission_level.value == "IS_OWNER" for a in owners)
    with pytest.raises(NotFound):
        w.pipelines.get_permissions("no-such-pipeline")
