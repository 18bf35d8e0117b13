"""The local workspace's HTTP server: a FastAPI app speaking the Databricks REST API.

Run it with `python -m brickyard.local.server --home DIR` (what `brickyard local up` does, see
`brickyard.local.lifecycle`). The app is assembled in `app.create_app`; each API area is one module
under `routes/`, listed in `routes.ROUTERS`.
"""
