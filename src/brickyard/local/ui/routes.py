"""The UI's URLs: pages (GET), the few actions a page offers (POST, same-origin only), sign-in,
and the API call `brickyard ui` makes for a one-time sign-in link.

A page that names something missing answers with an HTML error page and the API's status (and with
the API's JSON error to a client that does not ask for HTML). While a
run or an update is active, its page refreshes its own content every two seconds (`base.html`
fetches the page again with `X-Brickyard-Partial: 1` and gets only its `<main>`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.server.services import Services
from brickyard.local.ui import catalog, compute, jobs, metrics, pipelines, render, runs, workspace
from brickyard.local.ui.signin import LOGIN_PATH, safe_next

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/2.0/brickyard/ui", tags=["brickyard"])

HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _show(request: Request, template: str, build: Callable[[Services], dict[str, Any]]) -> Response:
    ws = services(request)
    try:
        context = build(ws)
    except ApiError as err:
        # A missing job or run is a 400 in the API's words (`ApiError.missing`); a page is not found.
        if err.missing:
            return _error(request, 404, "RESOURCE_DOES_NOT_EXIST", err.message)
        return _error(request, err.status, err.error_code, err.message)
    return _html(request, template, context)


def _error(
    request: Request, status: int, code: str, message: str, template: str = "error.html", **context: Any
) -> Response:
    """An error as a page for a browser, and in the API's shape for any other client."""
    if "text/html" not in request.headers.get("accept", ""):
        raise ApiError(status, code, message)
    return _html(request, template, {"status": status, "message": message, **context}, status)


def _html(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    ws = services(request)
    body = render.page(
        template,
        partial=request.headers.get("x-brickyard-partial") == "1",
        user=ws.user,
        here=request.url.path,
        **context,
    )
    return HTMLResponse(body, status, headers=HEADERS)


def _same_origin(request: Request) -> None:
    """Actions come from this server's own pages: a cross-site form or script may not post here."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise ApiError(403, "PERMISSION_DENIED", "Cross-origin requests are refused.")
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise ApiError(403, "PERMISSION_DENIED", "Cross-site requests are refused.")


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# ---- pages ------------------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    def build(ws: Services) -> dict[str, Any]:
        recent = [jobs.run_summary(row) for row in jobs.recent_runs(ws, None, 20)]
        every = jobs.all_jobs(ws)
        return {
            "recent": recent,
            "jobs": len(every),
            "pipelines": len(pipelines.all_pipelines(ws)),
            "names": {r.job_id: r.settings.get("name", "") for r in every},
        }

    return _show(request, "home.html", build)


@router.get("/jobs")
def jobs_list(request: Request) -> Response:
    return _show(request, "jobs.html", jobs.jobs_page)


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: int) -> Response:
    return _show(request, "job.html", lambda ws: jobs.job_page(ws, job_id))


@router.get("/jobs/{job_id}/runs/{run_id}")
def run(request: Request, job_id: int, run_id: int) -> Response:
    return _show(request, "run.html", lambda ws: runs.run_page(ws, job_id, run_id))


@router.get("/pipelines")
def pipelines_list(request: Request) -> Response:
    return _show(request, "pipelines.html", pipelines.pipelines_page)


@router.get("/pipelines/{pipeline_id}")
def pipeline(request: Request, pipeline_id: str, update: str | None = None) -> Response:
    return _show(request, "pipeline.html", lambda ws: pipelines.pipeline_page(ws, pipeline_id, update))


@router.get("/compute")
def compute_list(request: Request) -> Response:
    return _show(request, "compute.html", compute.compute_page)


@router.get("/compute/clusters/{cluster_id}")
@router.get("/compute/clusters/{cluster_id}/{tab}")
def cluster(request: Request, cluster_id: str, tab: str = "") -> Response:
    return _show(request, "cluster.html", lambda ws: compute.cluster_page(ws, cluster_id))


@router.get("/sql/warehouses/{warehouse_id}")
def warehouse(request: Request, warehouse_id: str) -> Response:
    return _show(request, "warehouse.html", lambda ws: compute.warehouse_page(ws, warehouse_id))


@router.get("/explore/data")
def catalogs(request: Request) -> Response:
    return _show(request, "catalogs.html", catalog.catalogs_page)


@router.get("/explore/data/volumes/{catalog_name}/{schema}/{volume}")
@router.get("/explore/data/volumes/{catalog_name}/{schema}/{volume}/{sub:path}")
def volume(request: Request, catalog_name: str, schema: str, volume: str, sub: str = "") -> Response:
    return _show(
        request, "volume.html", lambda ws: catalog.volume_page(ws, catalog_name, schema, volume, sub)
    )


@router.get("/explore/data/{catalog_name}")
def catalog_(request: Request, catalog_name: str) -> Response:
    return _show(request, "catalog.html", lambda ws: catalog.catalog_page(ws, catalog_name))


@router.get("/explore/data/{catalog_name}/{schema}")
def schema(request: Request, catalog_name: str, schema: str) -> Response:
    return _show(request, "schema.html", lambda ws: catalog.schema_page(ws, catalog_name, schema))


@router.get("/explore/data/{catalog_name}/{schema}/{table}")
def table(request: Request, catalog_name: str, schema: str, table: str) -> Response:
    return _show(request, "table.html", lambda ws: catalog.table_page(ws, catalog_name, schema, table))


@router.get("/workspace")
@router.get("/workspace/{path:path}")
def workspace_(request: Request, path: str = "") -> Response:
    return _show(request, "workspace.html", lambda ws: workspace.workspace_page(ws, "/" + path))


@router.get("/insights")
def insights(request: Request) -> Response:
    return _show(request, "metrics.html", metrics.metrics_page)


# ---- actions ----------------------------------------------------------------------------------------


@router.post("/jobs/{job_id}/run-now")
def run_now(request: Request, job_id: int) -> Response:
    _same_origin(request)
    started = services(request).orchestrator.run_now({"job_id": job_id})
    return _go(f"/jobs/{job_id}/runs/{started['run_id']}")


@router.post("/jobs/{job_id}/runs/{run_id}/repair")
def repair(request: Request, job_id: int, run_id: int) -> Response:
    _same_origin(request)
    services(request).orchestrator.repair({"run_id": run_id, "rerun_all_failed_tasks": True})
    return _go(f"/jobs/{job_id}/runs/{run_id}")


@router.post("/jobs/{job_id}/runs/{run_id}/cancel")
def cancel(request: Request, job_id: int, run_id: int) -> Response:
    _same_origin(request)
    services(request).orchestrator.cancel(run_id)
    return _go(f"/jobs/{job_id}/runs/{run_id}")


@router.post("/pipelines/{pipeline_id}/start")
def start_update(request: Request, pipeline_id: str) -> Response:
    _same_origin(request)
    ws = services(request)
    execution = ws.pipeline_updates.start(ws.pipelines.get(pipeline_id), {}, cause="USER_ACTION")
    return _go(f"/pipelines/{pipeline_id}?update={execution.update_id}")


# ---- sign-in ----------------------------------------------------------------------------------------


@router.get(LOGIN_PATH)
def login_form(request: Request, next: str = "/", ticket: str | None = None) -> Response:
    signin = services(request).signin
    if ticket is not None:
        if signin.redeem(ticket):
            response = _go(safe_next(next))
            response.headers["Set-Cookie"] = signin.session_cookie()
            return response
        problem = "This sign-in link has expired or was used already."
        return _error(
            request, 401, "UNAUTHENTICATED", problem, "login.html", next=safe_next(next), problem=problem
        )
    return _html(request, "login.html", {"next": safe_next(next), "problem": ""})


@router.post(LOGIN_PATH)
async def login(request: Request) -> Response:
    _same_origin(request)
    form = await request.form()
    signin = services(request).signin
    token, next_path = str(form.get("token") or ""), safe_next(str(form.get("next") or "/"))
    if not signin.token_matches(token):
        problem = "That is not this workspace's token."
        return _error(request, 401, "UNAUTHENTICATED", problem, "login.html", next=next_path, problem=problem)
    response = _go(next_path)
    response.headers["Set-Cookie"] = signin.session_cookie()
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    _same_origin(request)
    response = _go(LOGIN_PATH)
    response.headers["Set-Cookie"] = services(request).signin.ended_cookie()
    return response


@api.post("/sign-in-links")
def sign_in_link(request: Request, body: JsonBody = None) -> dict[str, Any]:
    """A one-time sign-in URL landing on `path` (`brickyard ui`)."""
    ws = services(request)
    return {"url": ws.signin.link(ws.host, field(body, "path", str, "/"))}
