"""Tests of service.rendering: the DOCX templates, their layout numbers and the renderer."""
