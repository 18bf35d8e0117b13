USE CATALOG {{catalog}};
USE IDENTIFIER({{schema}});

CREATE OR REPLACE MATERIALIZED VIEW
  orders_daily
AS SELECT
  order_date, count(*) AS number_of_orders
FROM
  orders_raw

-- we only keep recent data
WHERE if(
  {{bundle_target}} != "prod",
  true,
  order_date >= date_sub(current_date(), 1000)
)
GROUP BY order_date
