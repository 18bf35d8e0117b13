-- Revenue per month, kept fresh by Databricks as a materialized view.
{{ config(
    materialized = 'materialized_view',
    liquid_clustered_by = ['order_month'],
    tblproperties = {'delta.enableChangeDataFeed': 'true'}
) }}

select date_trunc('month', order_date) as order_month, sum(price) as revenue
from {{ ref('orders_stream') }}
group by 1
