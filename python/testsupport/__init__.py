"""Test support, outside the installed package: throwaway warehouses, a PostgreSQL cluster, comparisons."""
