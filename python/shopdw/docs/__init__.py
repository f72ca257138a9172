"""Documentation tooling: the coverage of the generated docs (`shopdw docs-coverage`)."""
