"""Reliability and security suite (issue #7): bad input, faults and load, each with a test."""
