"""The raw-data generator: a simulated shop, its landing files and their dirt, and the reference seeds."""
