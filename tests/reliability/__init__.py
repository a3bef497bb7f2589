"""Reliability tests (issue 6): property-based runs, injected faults."""
