"""The municipality sheet's figures (issue 16). Being written: `municipality_sheet(*,
municipality, year)` returns a `MunicipalitySheet` (shapes.py); `sheet_municipalities(*, year)`
the member and pilot municipalities of a year."""

from __future__ import annotations

from schools.models import Municipality

from .shapes import MunicipalitySheet


def sheet_municipalities(*, year: int):
    raise NotImplementedError


def municipality_sheet(*, municipality: Municipality, year: int) -> MunicipalitySheet:
    raise NotImplementedError
