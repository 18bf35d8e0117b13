select city, count(*) as n from {{ ref('customers') }} group by city
