"""Shared fixtures of the municipality sheet's access and link tests.

`sheet_network`: the conftest's network (schools A and A2 in Follo, B in Romerike, each in a
municipality of its own, members since 2013), with A's municipality given a Sámi name. Its
sheets are the real ones (ungmusikk/reports/sheet.py), nearly empty: the access tests are
about who opens what. The figures on the page are tested on the hand-computed network
(`hand_network` in test_sheet_access.py, ungmusikk/reports/tests/network.py).
"""

from __future__ import annotations

import pytest

SAMI_NAME = "Gáivuotna – Kåfjord – Kaivuono"
YEAR = 2020


@pytest.fixture
def sheet_network(network):
    municipality = network.school_a.municipality
    municipality.name = SAMI_NAME
    municipality.save(update_fields=["name"])
    return network


def sheet_url(municipality, year=YEAR, suffix="") -> str:
    return f"/rapporter/kommuner/{municipality.number}/{year}/{suffix}"


def link_maker():
    """The daily leader who makes the tests' links (central staff: may open every sheet)."""
    from django.contrib.auth import get_user_model

    from conftest import make_persona
    from governance.models import Role

    existing = get_user_model().objects.filter(username="lenkemaker").first()
    return existing or make_persona("lenkemaker", is_staff=True, kind=Role.Kind.DAILY_LEADER)


def shared_link(municipality, year=YEAR, *, signed_at=None, maker=None):
    """A signed link to the sheet, made as «Lag delingslenke» makes it (an audit entry of
    `maker`, by default `link_maker()`), signed as of `signed_at` (now when None)."""
    from ungmusikk.reports import links

    entry = links.sheet_link_share(user=maker or link_maker(), municipality=municipality, year=year, now=signed_at)
    return links.sheet_link_of_share(entry)
