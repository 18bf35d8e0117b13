select * from {{ ref('revenue_by_city') }} where revenue < 0
