"""Tests of the LibreOffice conversion pool, against the real LibreOffice."""
