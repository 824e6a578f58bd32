"""Builders of the built-in DOCX templates: one module per document kind, each exposing TEMPLATES."""
