-- One row per sale, generated so the project builds anywhere.
select
  id as sale_id,
  cast(id % 3 + 1 as int) as store_id,
  cast(id % 40 as double) as amount
from range(300)
