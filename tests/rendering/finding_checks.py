"""Asking a list of findings what it holds, for the tests of the template checks and the lint."""

from __future__ import annotations

from service.findings import Finding, Severity


def codes(findings: list[Finding], severity: Severity | None = None) -> list[str]:
    return [f.code for f in findings if severity is None or f.severity is severity]


def only(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, f"expected one {code}, got {[f.as_dict() for f in findings]}"
    return found[0]
