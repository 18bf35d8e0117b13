"""SQL warehouses: Databricks SQL statements on the embedded engine, for the Statement Execution API
and for Thrift clients (the SQL connector, dbt-databricks).

`session` holds a Spark Connect session kept in step with the workspace catalog, `compat` turns
Databricks SQL the engine does not parse into what it does, `params` binds parameter markers, and
`results` shapes Arrow results for the REST API.
"""
