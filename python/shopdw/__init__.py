"""Python parts of the shop warehouse: the raw-data generator, test helpers and the benchmark."""

__version__ = "0.1.0"
