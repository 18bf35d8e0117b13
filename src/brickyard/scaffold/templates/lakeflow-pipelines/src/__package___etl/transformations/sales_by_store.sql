-- Gold: revenue per store.
CREATE MATERIALIZED VIEW sales_by_store
COMMENT "Revenue and sales per store"
AS SELECT store, count(*) AS sales, sum(amount) AS revenue
FROM sales_clean
GROUP BY store
