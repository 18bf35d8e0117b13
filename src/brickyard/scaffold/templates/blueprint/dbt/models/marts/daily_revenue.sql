SELECT
  order_date,
  COUNT(*) AS orders,
  {{ money('SUM(CASE WHEN status <> \'refunded\' THEN amount ELSE 0 END)') }} AS revenue
FROM {{ ref('stg_orders') }}
GROUP BY order_date
