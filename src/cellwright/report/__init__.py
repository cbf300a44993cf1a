"""Human-readable output: rich tables for the command line."""
