-- Orders per day.
{{ config(materialized = 'table') }}

select
  order_date,
  count(*) as number_of_orders,
  sum(price) as revenue
from {{ ref('orders_raw') }}
group by order_date
