-- Run by the job in resources/default_sql_sql.job.yml, with its parameters as {{name}}.

CREATE SCHEMA IF NOT EXISTS IDENTIFIER({{catalog}} || '.' || {{schema}});
USE CATALOG {{catalog}};
USE IDENTIFIER({{schema}});

CREATE OR REPLACE MATERIALIZED VIEW
  orders_raw
AS SELECT
  o_orderkey AS order_id,
  o_orderdate AS order_date,
  o_totalprice AS price,
  'target ' || {{bundle_target}} AS note
FROM samples.tpch.orders
