select s.city, count(*) as sales, sum(f.amount) as revenue
from {{ ref('stg_sales') }} f
join {{ ref('stores') }} s on f.store_id = s.store_id
group by s.city
