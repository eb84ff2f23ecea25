"""The annual report's figures (issue 16). Being written: `annual_report(*, period)` returns
an `AnnualReport` (shapes.py)."""

from __future__ import annotations

from .shapes import AnnualReport, ReportPeriod


def annual_report(*, period: ReportPeriod) -> AnnualReport:
    raise NotImplementedError
