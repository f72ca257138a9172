"""The customer features outside dbt: the feature catalog, and the Feast feature store (definitions, sync, server)."""
