"""Tests of service.typography."""
