"""`make bench`: the warehouse timed at scale factors, beside raw SQL, pandas, readers and the feature store."""
