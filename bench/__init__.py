"""Benchmarks (not collected by pytest): see docs/performance.md for the commands."""
