-- Scratch space: queries here are not deployed as tasks.
SELECT * FROM orders_daily ORDER BY order_date LIMIT 10;
