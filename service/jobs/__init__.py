"""Batch runs (归档): the resumable archive-run engine and the huey queue that carries it."""
