CREATE MATERIALIZED VIEW long_trips AS
SELECT pickup_zip, count(*) AS trips
FROM sample_trips
WHERE trip_distance > 10
GROUP BY pickup_zip
