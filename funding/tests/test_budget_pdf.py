"""Issue 12: the budget as a PDF for the minutes (funding/pdf.py, admin URL `<id>/pdf/`):
a PDF drawn with the embedded DejaVu fonts only, with the year, the status, the grouped lines
and the decision record, page numbers, and only for those who may view the budget."""

import io
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from funding.models import Budget, BudgetLine
from funding.pdf import budget_pdf, budget_status_text
from funding.services import budget_line_set

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's text and fonts")

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def pdf_text(content: bytes) -> str:
    """The PDF's text, runs of spaces (no-break ones too) and newlines as one space."""
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[ \t\r\n\xa0]+", " ", text)


def pdf_font_names(content: bytes) -> set[str]:
    """The BaseFont of every font resource on every page."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    return names


def _url(budget_id) -> str:
    return reverse("admin:funding_budget_pdf", args=[budget_id])


def test_budget_pdf_is_a_pdf_with_only_dejavu_the_year_and_the_lines(client_as, submitted, steering_member):
    response = client_as(steering_member).get(_url(submitted.pk), HTTP_ACCEPT_LANGUAGE="nb")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="budsjett-2020-revisjon-1.pdf"'
    content = response.content
    assert content[:5] == b"%PDF-"
    assert b"Helvetica" not in content
    fonts = pdf_font_names(content)
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+DejaVuSans(-Bold)?", name) for name in fonts), fonts
    text = pdf_text(content)
    assert "UngMusikk – Budsjett 2020, revisjon 1" in text
    assert "Tildeling Skole A2 Skole A2 (Follo) 115 500 kr Nøkkel: Per elev" in text
    assert "Sum kommunalt tilskudd 240 000 kr" in text
    assert "Inntekter i alt 1 370 000 kr" in text and "Utgifter i alt 1 370 000 kr" in text
    assert "Balanse (inntekter minus utgifter) 0 kr" in text
    assert "NMH: Lokaler NMH 50 000 kr" in text  # in kind, apart
    assert "Ingen vedtatt budsjett for 2019 å sammenligne med." in text
    assert "115500" not in text and "115 500,00" not in text
    pages = len(pypdf.PdfReader(io.BytesIO(content)).pages)
    assert f"Side 1 av {pages}" in text


def test_budget_pdf_states_status_and_the_decision_record(submitted):
    with translation.override("nb"):
        text = pdf_text(budget_pdf(budget=submitted))

    submitted_day = submitted.submitted_at.astimezone(OSLO).strftime("%d.%m.%Y")
    assert f"Status: Lagt fram {submitted_day}, ikke vedtatt." in text
    assert "Behandling" in text and "laget budsjettutkast" in text and "la fram budsjettet" in text


def test_budget_pdf_record_leaves_out_the_line_edits(draft, daily_leader):
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    budget_line_set(
        budget=draft, user=daily_leader, line=reserve, kind="reserve", label="Reserve", amount=Decimal("70000")
    )

    with translation.override("nb"):
        text = pdf_text(budget_pdf(budget=draft))

    assert "laget budsjettutkast" in text
    assert "endret budsjettlinje" not in text  # the preparation is in the page's log, not in the record
    assert "Reserve 70 000 kr" in text


def test_budget_status_text_names_the_day_of_the_decision(submitted):
    Budget.objects.filter(pk=submitted.pk).update(
        status=Budget.Status.APPROVED, decided_at=datetime(2020, 3, 12, 23, 30, tzinfo=OSLO)
    )
    submitted.refresh_from_db()

    with translation.override("nb"):
        assert budget_status_text(submitted) == "Vedtatt 12.03.2020"  # the day in Oslo, not in UTC
        assert "Status: Vedtatt 12.03.2020." in pdf_text(budget_pdf(budget=submitted))


def test_budget_status_text_of_a_draft(draft):
    with translation.override("nb"):
        assert budget_status_text(draft) == "Utkast, ikke lagt fram"


def test_budget_pdf_refused_to_a_staff_rector(client_as, submitted, staff_rector):
    response = client_as(staff_rector).get(_url(submitted.pk))

    assert response.status_code == 403


def test_budget_pdf_sends_a_rector_without_staff_account_to_log_in(client_as, submitted, rector_a):
    response = client_as(rector_a).get(_url(submitted.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("budget_id", ["0", "999999", "abc", "1.5", "99999999999999999999999"])
def test_budget_pdf_of_an_id_that_is_not_one_is_404(client_as, submitted, steering_member, budget_id):
    response = client_as(steering_member).get(_url(budget_id))

    assert response.status_code == 404


def test_budget_pdf_lists_each_seated_members_vote_with_the_whole_comment(submitted, steering_leader, steering_member):
    from funding.services import budget_approve

    steering_member.first_name, steering_member.last_name = "Medlem" + "x" * 144, "Etternavn"
    steering_member.save()
    comment = ("Langtordutenmellomrom" * 8 + " ") + "Dette er en lang kommentar. " * 64 + "SLUTT"
    assert len(comment) <= 2000
    budget_approve(budget=submitted, user=steering_member, comment=comment)

    with translation.override("nb"):
        text = pdf_text(budget_pdf(budget=submitted))

    votes = text[text.index("Stemmer Framlegging 1.") :]
    assert "Vedtaksregel: Lederen og minst ett annet medlem." in votes
    assert "Medlem Stemme Tidspunkt Kommentar" in votes
    assert "(leder)" in votes and "For å vedta" in votes
    assert votes.count("Dette er en lang kommentar.") == 64 and "SLUTT" in votes  # never cut
    assert votes.replace(" ", "").count("x" * 20) >= 1
    cast = submitted.votes.get().cast_at.astimezone(OSLO).strftime("%d.%m.%Y")
    assert cast in votes


def test_budget_pdf_has_no_votes_before_it_is_laid_forward(draft):
    with translation.override("nb"):
        text = pdf_text(budget_pdf(budget=draft))

    assert "Stemmer" not in text
