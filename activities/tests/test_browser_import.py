"""A coordinator imports participation from the import page's Excel template in Chromium
(Playwright, the demo network): the preview shows each school before → after, the import
changes only the schools in the file and keeps the named pupils, the other schools' figures
stay as they were."""

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Participation
from core.periods import school_year_of
from schools.models import Enrolment, Membership, School

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-the-browser-1"


def _figures(activity) -> dict[str, tuple[int, int, list[int]]]:
    return {
        p.school.name: (p.pupils, p.teachers, sorted(p.named_pupils.values_list("pk", flat=True)))
        for p in Participation.objects.filter(activity=activity).select_related("school")
    }


def _follo_activity_and_schools():
    """A Follo activity with three or more schools, one of them a Follo school with named
    pupils, and a Follo member school not on it with an enrolment to take pupils from."""
    for activity in Activity.objects.filter(region__slug="follo").exclude(status=Activity.Status.CANCELLED):
        day = timezone.localtime(activity.starts_at).date()
        members = set(
            Membership.objects.valid_on(day)
            .filter(status__in=Membership.PARTICIPATING)
            .values_list("school_id", flat=True)
        )
        enrolled = set(
            Enrolment.objects.filter(school_year=school_year_of(day), pupils__gte=20).values_list(
                "school_id", flat=True
            )
        )
        rows = list(activity.participations.select_related("school").prefetch_related("named_pupils"))
        named = [
            p
            for p in rows
            if p.school.region.slug == "follo" and p.named_pupils.all() and p.school_id in members & enrolled
        ]
        on_it = {p.school_id for p in rows}
        new = (
            School.objects.filter(region__slug="follo", pk__in=members & enrolled)
            .exclude(pk__in=on_it)
            .order_by("name")
            .first()
        )
        if len(rows) >= 3 and named and new is not None:
            return activity, named[0], new
    raise AssertionError("the demo network has no Follo activity to import into")


def test_coordinator_imports_the_filled_in_xlsx_template(page, live_server, tmp_path):
    call_command("load_demo", force=True, verbosity=0)
    user = get_user_model().objects.get(username="koord-follo")
    user.set_password(PASSWORD)
    user.save()
    activity, changed, new_school = _follo_activity_and_schools()
    before = _figures(activity)
    named_before = before[changed.school.name][2]

    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda answer: answer.status >= 400 and problems.append(f"{answer.status} {answer.url}"))

    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Brukernavn").fill("koord-follo")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{reverse('activities:detail', args=[activity.pk])}")
    page.get_by_role("link", name="Importer deltakelse").click()
    page.wait_for_url(f"{live_server.url}{reverse('activities:import')}?aktivitet={activity.pk}")

    # The per-school template, as Excel.
    template_url = reverse("activities:import-template", args=["skoler", "xlsx"])
    with page.expect_download() as download_info:
        page.locator(f'a[href="{template_url}"]').click()
    download = download_info.value
    assert download.suggested_filename == "deltakelse-mal-skoler.xlsx"
    template = tmp_path / "mal.xlsx"
    download.save_as(template)

    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["skole", "elever", "lærere"]
    assert [cell.value for cell in sheet[2]] == ["Eksempel kulturskole", 12, 2]
    pupils = max(changed.pupils, len(named_before)) + 3
    sheet.delete_rows(2)
    sheet.append([changed.school.name, pupils, 2])
    sheet.append([new_school.name, 4, 1])
    filled = tmp_path / "deltakelse-follo.xlsx"
    book.save(filled)

    page.get_by_label("Fil (CSV eller Excel .xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Forhåndsvis").click()
    page.wait_for_selector("#import-changes")
    changed_row = page.locator(f'#import-changes tr[data-school="{changed.school.slug}"]')
    assert changed_row.locator('[data-column="pupils"]').inner_text() == f"{changed.pupils} → {pupils}"
    assert changed_row.locator('[data-column="teachers"]').inner_text() == f"{changed.teachers} → 2"
    count = len(named_before)
    assert changed_row.locator('[data-column="named"]').inner_text() == f"{count} → {count}"
    new_row = page.locator(f'#import-changes tr[data-school="{new_school.slug}"]')
    assert new_row.locator("th").inner_text() == f"{new_school.name} ny"
    assert new_row.locator('[data-column="pupils"]').inner_text() == "– → 4"
    others = len(before) - 1
    assert page.locator("#import-untouched").inner_text().startswith(f"{others} andre skoler")
    assert page.locator("#import-removed").count() == 0
    assert page.get_by_label("Erstatt navngitte elever").is_checked() is False

    page.get_by_role("button", name="Importer alle radene").click()
    page.wait_for_url(f"{live_server.url}{reverse('activities:detail', args=[activity.pk])}")
    assert "Deltakelse for 2 skoler er importert." in page.locator("body").inner_text()

    after = _figures(activity)
    assert after[changed.school.name] == (pupils, 2, named_before)
    assert after[new_school.name] == (4, 1, [])
    assert {name: figures for name, figures in after.items() if name not in (changed.school.name, new_school.name)} == {
        name: figures for name, figures in before.items() if name != changed.school.name
    }
    assert problems == []
