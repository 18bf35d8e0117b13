-- Customers landed as CSV files, ingested incrementally.
CREATE OR REFRESH STREAMING TABLE retail_customers_raw
COMMENT "Raw customers of the retail-org dataset."
AS SELECT * FROM STREAM read_files(
  '/databricks-datasets/retail-org/customers/',
  format => 'csv',
  header => true
);
