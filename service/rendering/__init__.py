"""DOCX rendering: docxtpl templates filled with plain-text contexts; the only package that touches OOXML."""
