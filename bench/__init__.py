"""Benchmarks for Verbatim: scripts that print a table and write it to docs/benchmarks.md (not timed tests)."""
