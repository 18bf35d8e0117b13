-- Orders per day. Parameters: catalog, schema.
CREATE OR REPLACE TABLE IDENTIFIER(:catalog || '.' || :schema || '.orders_daily') AS
SELECT order_date, count(*) AS orders, sum(amount) AS revenue
FROM IDENTIFIER(:catalog || '.' || :schema || '.orders_raw')
GROUP BY order_date;
