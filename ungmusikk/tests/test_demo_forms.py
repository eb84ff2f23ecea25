"""Every form of the demo network sent back as the browser draws it: the portal's activity
forms as a coordinator, and the change page of one object of every admin model as central
staff. Saving a page without changing it must save (302) or be refused for a reason the page
gives (403, or the form redrawn with its errors) — never a 400 or a 5xx. (The budget's page
once drew more fields than Django accepts in one request, and every save was a 400.)"""

from __future__ import annotations

import lxml.html
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from funding.models import Budget

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]


def _client(username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _drawn_form(html: bytes, form_id: str | None = None) -> dict[str, list[str]]:
    """The values a browser sends for a page's form (the one with `form_id`, else the first
    post form), with nothing changed."""
    doc = lxml.html.fromstring(html)
    forms = [form for form in doc.forms if (form.method or "").lower() == "post"]
    if form_id is not None:
        forms = [form for form in forms if form.get("id") == form_id]
    data: dict[str, list[str]] = {}
    for name, value in forms[0].form_values():
        data.setdefault(name, []).append(value)
    return data


def test_coordinator_saves_a_demo_activity_unchanged():
    client = _client("koord-follo")
    activity = Activity.objects.filter(region__slug="follo").exclude(status=Activity.Status.CANCELLED).first()
    url = reverse("activities:update", args=[activity.pk])
    data = _drawn_form(client.get(url).content, "activity-form")
    data["confirm_pupil_load"] = ["on"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == reverse("activities:detail", args=[activity.pk])


def test_coordinator_copies_a_demo_activity_as_drawn():
    client = _client("koord-follo")
    activity = Activity.objects.filter(region__slug="follo").exclude(status=Activity.Status.CANCELLED).first()
    url = reverse("activities:copy", args=[activity.pk])
    response = client.post(url, _drawn_form(client.get(url).content, "activity-form"))
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # refused for a reason the page gives, e.g. a school no longer a member
        assert response.context["form"].errors or any(f.errors for f in response.context["participations"])


def test_daily_leader_saves_the_demo_budget_page_unchanged():
    budget = Budget.objects.get(year=2020)
    client = _client("leder")
    url = reverse("admin:funding_budget_change", args=[budget.pk])
    page = client.get(url)
    data = _drawn_form(page.content, "budget_form")
    if budget.is_editable:
        data["notes"] = ["Sett av daglig leder."]
        data["_continue"] = ["Lagre og fortsett redigering"]
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        budget.refresh_from_db()
        assert budget.notes == "Sett av daglig leder."
    else:  # submitted: nobody edits it, the page has no save button
        assert client.post(url, data).status_code == 403


def test_daily_leader_saves_a_returned_demo_budget_with_all_its_lines():
    """The demo's 2020 budget is submitted; returned, it is the daily leader's to edit again —
    with every one of its lines on the page."""
    from funding.services import budget_return

    budget = Budget.objects.get(year=2020)
    budget = budget_return(
        budget=budget, user=get_user_model().objects.get(username="styre"), comment="Se over tallene."
    )
    client = _client("leder")
    url = reverse("admin:funding_budget_change", args=[budget.pk])
    data = _drawn_form(client.get(url).content, "budget_form")
    assert int(data["lines-TOTAL_FORMS"][0]) == budget.lines.count() > 50
    data["notes"] = ["Rettet etter styrets kommentar."]
    data["_continue"] = ["Lagre og fortsett redigering"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    budget.refresh_from_db()
    assert budget.notes == "Rettet etter styrets kommentar."


@pytest.mark.parametrize(
    "model", sorted(admin.site._registry, key=lambda model: model._meta.label), ids=lambda m: m._meta.label
)
def test_admin_change_page_sent_back_unchanged(model):
    """Central staff opens one object of each admin model and presses save without changing
    anything: saved, or refused (403) where the model is not theirs to change."""
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip(f"the demo has no {model._meta.label}")
    client = _client("admin")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    form_id = f"{model._meta.model_name}_form"
    if form_id not in page.content.decode():
        pytest.skip("no change form")
    data = _drawn_form(page.content, form_id)
    data["_continue"] = ["Lagre og fortsett redigering"]
    response = client.post(url, data)
    assert response.status_code in (200, 302, 403), response.content.decode()[:2000]
    if response.status_code == 200:
        errors = response.context["adminform"].form.errors if response.context.get("adminform") else None
        assert errors, "the page was redrawn without saying why"
