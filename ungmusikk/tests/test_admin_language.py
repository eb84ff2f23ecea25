"""The admin speaks Norwegian bokmål all through (locale/nb adds what Django's catalog lacks)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_pages_have_no_english_left(client, network, daily_leader):
    client.force_login(daily_leader)

    html = client.get(reverse("admin:funding_budget_changelist"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()

    for english in (
        "Start typing to filter",
        "Skip to main content",
        "Toggle theme",
        "Show counts",
        "Model name",
        "Add link",
        "Change or view list link",
    ):
        assert english not in html, english
    assert "Skriv for å filtrere …" in html
    assert "Gå til hovedinnholdet" in html
    assert "Legg til budsjett" in html
    assert "Legg til ny budsjett" not in html
