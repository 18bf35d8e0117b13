"""Deploy speed as a user sees it: `brickyard deploy` processes against a workspace 20 ms away.

A generated bundle of 500 notebooks and 50 jobs is deployed with the `brickyard` command (a new
process each time, as in CI) to the local workspace, reached through a proxy on loopback that adds
20 ms to every request, the typical round trip to a cloud workspace. The target names the proxy as
its `workspace.host`, so the command takes the path it takes to a real workspace (SDK, token auth).

Reports, each the median of a few processes: the first deploy, a no-op redeploy (its time, its
share of the first and its requests), and a redeploy after changing one notebook.
Goals: the no-op redeploy takes <= 10% of the first deploy and <= 1 s for 500 files.

Run: .venv/bin/python benchmarks/deploy.py        (`--quick` for one no-op process instead of 3)
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NOTEBOOKS = 500
JOBS = 50
LATENCY = 0.020
BRICKYARD = str(Path(sys.executable).with_name("brickyard"))


def generate(root: Path, host: str) -> None:
    (root / "notebooks").mkdir(parents=True)
    (root / "resources").mkdir()
    (root / "databricks.yml").write_text(
        f"bundle: {{name: {root.name}}}\ninclude: [resources/*.yml]\n"
        f"targets:\n  dev: {{default: true, mode: development, workspace: {{host: '{host}'}}}}\n"
    )
    for n in range(NOTEBOOKS):
        (root / "notebooks" / f"nb_{n:03d}.py").write_text(
            f"# Databricks notebook source\nprint('notebook {n}')\n# COMMAND ----------\nx = {n}\n"
        )
    per_job = NOTEBOOKS // JOBS
    for j in range(JOBS):
        tasks = "".join(
            f"        - task_key: t{k}\n"
            + (f"          depends_on: [{{task_key: t{k - 1}}}]\n" if k else "")
            + f"          notebook_task: {{notebook_path: ../notebooks/nb_{j * per_job + k:03d}.py}}\n"
            for k in range(per_job)
        )
        (root / "resources" / f"job_{j:02d}.yml").write_text(
            f"resources:\n  jobs:\n    job_{j:02d}:\n      name: job {j}\n      tasks:\n{tasks}"
        )


class LatencyProxy:
    """Forwards every request to `upstream` after `delay` seconds, and counts them by method."""

    def __init__(self, upstream: str, delay: float) -> None:
        host, _, port = upstream.removeprefix("http://").rstrip("/").partition(":")
        self.counts: dict[str, int] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                proxy.counts[self.command] = proxy.counts.get(self.command, 0) + 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                upstream_conn = http.client.HTTPConnection(host, int(port), timeout=300)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream_conn.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream_conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in (
                        "transfer-encoding",
                        "connection",
                        "content-length",
                        "server",
                        "date",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream_conn.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take_counts(self) -> dict[str, int]:
        counts, self.counts = self.counts, {}
        return counts


def deploy(root: Path, env: dict[str, str], proxy: LatencyProxy) -> tuple[float, dict[str, int]]:
    proxy.take_counts()
    started = time.perf_counter()
    done = subprocess.run([BRICKYARD, "deploy"], cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"brickyard deploy failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, proxy.take_counts()


def measure(quick: bool = False) -> dict[str, float]:
    """Run the rounds; returns the numbers `benchmarks/speed.py` compares with the goals."""
    from brickyard.local.lifecycle import ensure_running, stop

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "workspace"
        workspace.mkdir()
        (workspace / "databricks.yml").write_text("bundle: {name: bench-workspace}\n")
        os.environ.setdefault("BRICKYARD_LOCAL_USER", "bench@brickyard.local")
        local = ensure_running(workspace, write_profile=False, prestart=False)
        try:
            proxy = LatencyProxy(local.host, LATENCY)
            root = Path(tmp) / "bundle"
            generate(root, proxy.url)
            env = {
                **os.environ,
                "DATABRICKS_HOST": proxy.url,
                "DATABRICKS_TOKEN": local.token,
                "PYTHONDONTWRITEBYTECODE": "1",
            }
            env.pop("BRICKYARD_LOCAL_WORKSPACE_DIR", None)
            first, first_calls = deploy(root, env, proxy)
            print(f"  first deploy:      {first:6.2f} s  requests {first_calls}")
            noops = []
            for _ in range(1 if quick else 3):
                noop, noop_calls = deploy(root, env, proxy)
                noops.append(noop)
            noop = statistics.median(noops)
            print(
                f"  no-op redeploy:    {noop:6.2f} s  requests {noop_calls}  ({noop / first:.1%} of the first)"
            )
            (root / "notebooks" / "nb_042.py").write_text("# Databricks notebook source\nprint('changed')\n")
            one, one_calls = deploy(root, env, proxy)
            print(f"  one file changed:  {one:6.2f} s  requests {one_calls}")
            proxy.server.shutdown()
            return {"first": first, "noop": noop, "one": one, "noop_requests": sum(noop_calls.values())}
        finally:
            stop(workspace)


def main() -> None:
    print(
        f"brickyard deploy, {NOTEBOOKS} notebooks / {JOBS} jobs, every request {LATENCY * 1000:.0f} ms slower"
    )
    measure(quick="--quick" in sys.argv)


if __name__ == "__main__":
    main()
