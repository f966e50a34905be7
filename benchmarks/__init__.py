"""Benchmarks for citecheck: accuracy and speed measured on the shared datasets."""
