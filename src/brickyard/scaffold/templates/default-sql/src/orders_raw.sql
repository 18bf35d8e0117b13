-- Raw orders, one row per order (a deterministic sample). Parameters: catalog, schema.
USE CATALOG IDENTIFIER(:catalog);
CREATE SCHEMA IF NOT EXISTS IDENTIFIER(:schema);

CREATE OR REPLACE TABLE IDENTIFIER(:catalog || '.' || :schema || '.orders_raw') AS
SELECT
  id AS order_id,
  date_add(DATE'2026-01-01', CAST(id % 30 AS INT)) AS order_date,
  CAST(id % 97 AS DOUBLE) AS amount
FROM range(1000);
