-- Orders, read from the TPC-H sample data.
{{ config(materialized = 'table') }}

select
  o_orderkey as order_id,
  o_custkey as customer_id,
  o_orderdate as order_date,
  o_totalprice as price
from samples.tpch.orders
