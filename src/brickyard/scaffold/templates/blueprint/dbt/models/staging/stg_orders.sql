SELECT
  order_id,
  customer_id,
  amount,
  status,
  order_date
FROM {{ source('pipeline', 'orders_silver') }}
