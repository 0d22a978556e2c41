"""Benchmarks, run on demand: `python -m bench [NAME ...]` writes bench/RESULTS.md."""
