"""Nothing in the web UI is readable without signing in; the links brickyard prints open their page
once signed in, through the sign-in form (the workspace token) or a one-time link (`brickyard ui`)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from brickyard.cli.main import run as cli
from brickyard.local.lifecycle import LocalWorkspace
from tests.local.conftest import USER
from tests.local.runs.conftest import finish
from tests.local.ui.conftest import shot, sign_in_link


@pytest.fixture(scope="module")
def printed_run(w: Any) -> tuple[int, int, str]:
    """A finished run and the page URL the API gave for it, as `brickyard run` prints it."""
    path = f"/Users/{USER}/ui-signin/hello.py"
    w.workspace.mkdirs(path.rsplit("/", 1)[0])
    w.workspace.upload(path, io.BytesIO(b"print('hi')\n"), format=ImportFormat.AUTO, overwrite=True)
    task = jobs.Task(
        task_key="hello", spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{path}")
    )
    job_id = w.jobs.create(name="ui sign-in", tasks=[task]).job_id
    run = finish(w, w.jobs.run_now(job_id).run_id)
    return job_id, run.run_id, run.run_page_url


def test_without_a_session_pages_send_the_browser_to_sign_in_and_the_api_stays_json(
    anonymous: Any, local_ws: LocalWorkspace, printed_run: tuple[int, int, str]
) -> None:
    job_id, run_id, _url = printed_run
    for path in (
        "/",
        "/jobs",
        f"/jobs/{job_id}/runs/{run_id}",
        "/explore/data/main",
        "/workspace/Users",
        "/insights",
    ):
        answer = anonymous.request.get(local_ws.host + path, max_redirects=0)
        assert answer.status == 303, path
        assert answer.headers["location"].startswith("/login?next=")
        assert str(job_id) not in answer.text()
    refused = anonymous.request.get(f"{local_ws.host}/api/2.2/jobs/get?job_id={job_id}")
    assert refused.status == 401 and refused.json()["error_code"] == "UNAUTHENTICATED"
    anonymous.goto(f"{local_ws.host}/jobs/{job_id}")
    assert "/login" in anonymous.url and anonymous.locator("form#signin").is_visible()
    shot(anonymous, "sign-in")
    posted = anonymous.request.post(f"{local_ws.host}/jobs/{job_id}/run-now", max_redirects=0)
    assert posted.status == 401  # an action without a session does nothing


def test_a_printed_run_link_opens_its_run_page_after_the_sign_in_form(
    anonymous: Any, local_ws: LocalWorkspace, printed_run: tuple[int, int, str]
) -> None:
    job_id, run_id, url = printed_run
    assert url == f"{local_ws.host}/#job/{job_id}/run/{run_id}"
    anonymous.goto(url)
    anonymous.fill("#token", "dapi-not-the-token")
    anonymous.click("form#signin button[type=submit]")
    assert anonymous.locator(".problem").inner_text() == "That is not this workspace's token."
    anonymous.fill("#token", local_ws.token)
    with anonymous.expect_navigation(url=f"{local_ws.host}/jobs/{job_id}/runs/{run_id}"):
        anonymous.click("form#signin button[type=submit]")
    assert anonymous.locator("h1").inner_text().startswith(f"Run {run_id}")
    [cookie] = anonymous.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert local_ws.token not in cookie["value"]
    anonymous.goto(f"{local_ws.host}/")
    anonymous.goto(url)  # followed again from the home page: only the fragment changes
    anonymous.wait_for_url(f"{local_ws.host}/jobs/{job_id}/runs/{run_id}")


def test_a_one_time_link_signs_in_once_and_lands_on_its_page(
    browser: Any, local_ws: LocalWorkspace, printed_run: tuple[int, int, str]
) -> None:
    job_id, _run_id, _url = printed_run
    link = sign_in_link(local_ws, f"/jobs/{job_id}")
    first, second = browser.new_context(), browser.new_context()
    try:
        page = first.new_page()
        page.goto(link)
        assert page.url == f"{local_ws.host}/jobs/{job_id}"
        assert page.locator("h1").inner_text() == "ui sign-in"
        again = second.new_page()
        again.goto(link)
        assert "expired or was used already" in again.locator(".problem").inner_text()
        assert second.cookies() == []
        page.click("header button")  # sign out
        page.goto(f"{local_ws.host}/jobs")
        assert "/login" in page.url
    finally:
        first.close()
        second.close()


def test_actions_refuse_a_cross_site_request(
    page: Any, local_ws: LocalWorkspace, printed_run: tuple[int, int, str]
) -> None:
    job_id, _run_id, _url = printed_run
    answer = page.request.post(
        f"{local_ws.host}/jobs/{job_id}/run-now",
        headers={"Origin": "http://attacker.example"},
        max_redirects=0,
    )
    assert answer.status == 403 and answer.json()["error_code"] == "PERMISSION_DENIED"


def test_brickyard_ui_prints_a_link_that_opens_the_page_asked_for(
    anonymous: Any,
    local_ws: LocalWorkspace,
    project: Path,
    printed_run: tuple[int, int, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job_id, run_id, url = printed_run
    monkeypatch.chdir(project)
    assert cli(["ui", "--print", url]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith(f"{local_ws.host}/login?ticket=") and local_ws.token not in link
    anonymous.goto(link)
    anonymous.wait_for_url(f"{local_ws.host}/jobs/{job_id}/runs/{run_id}")
    assert anonymous.locator("h1").inner_text().startswith(f"Run {run_id}")
