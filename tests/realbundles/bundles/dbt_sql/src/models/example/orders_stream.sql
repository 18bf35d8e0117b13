-- Orders as they arrive: a streaming table on Databricks.
{{ config(materialized = 'streaming_table') }}

select order_id, order_date, price
from stream({{ ref('orders_raw') }})
