"""Correction: a clerk slip the service fixed on the way in, reported back rather than hidden."""

from __future__ import annotations

from dataclasses import dataclass

from service.errors import bilingual

__all__ = ["Correction", "bilingual"]


@dataclass(frozen=True)
class Correction:
    """One fixed slip: what the clerk wrote, what the service uses instead, and why (中文 / English)."""

    original: str
    corrected: str
    message: str
