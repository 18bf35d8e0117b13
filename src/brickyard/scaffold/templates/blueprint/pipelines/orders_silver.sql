-- Silver: typed, de-duplicated orders. Orders without a customer are dropped; a negative amount
-- is a broken feed, so it is dropped too and counted in the event log.
CREATE OR REFRESH MATERIALIZED VIEW orders_silver (
  CONSTRAINT has_customer EXPECT (customer_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT positive_amount EXPECT (amount > 0) ON VIOLATION DROP ROW,
  CONSTRAINT known_status EXPECT (status IN ('placed', 'shipped', 'delivered', 'refunded'))
)
COMMENT "Cleaned orders, one row per order id."
AS SELECT
  order_id,
  customer_id,
  CAST(amount AS DOUBLE) AS amount,
  currency,
  status,
  CAST(ordered_at AS TIMESTAMP) AS ordered_at,
  CAST(CAST(ordered_at AS TIMESTAMP) AS DATE) AS order_date,
  business_day
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY ingested_at DESC) AS version
  FROM LIVE.orders_bronze
)
WHERE version = 1;
