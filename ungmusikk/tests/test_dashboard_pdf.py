"""The dashboard PDF draws Sámi letters (issue 11): it embeds DejaVu Sans, shipped in
ungmusikk/fonts/, instead of reportlab's built-in Helvetica, which has only Latin-1 and
printed black boxes for a name like Áilu Máret Čuđi-Ŋuolla."""

import io
import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory, ParticipationFactory
from schools.tests.factories import PupilFactory
from ungmusikk.dashboards import pdf

pytestmark = pytest.mark.django_db

NAME = "Áilu Máret Čuđi-Ŋuolla"


def pdf_text(content: bytes) -> str:
    """The PDF's text, by pypdf (a test requirement) or else poppler's pdftotext."""
    try:
        from pypdf import PdfReader
    except ImportError:
        pdftotext = shutil.which("pdftotext")
        if not pdftotext:
            pytest.skip("neither pypdf nor pdftotext is installed to read the PDF's text")
        return subprocess.run([pdftotext, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_font_names(content: bytes) -> set[str]:
    """The BaseFont of every font resource on every page (needs pypdf)."""
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's font resources")
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    return names


@pytest.fixture
def sami_pupil(network):
    pupil = PupilFactory(
        first_name="Áilu Máret", last_name="Čuđi-Ŋuolla", main_instrument="Joik", schools=[network.school_a]
    )
    day = datetime(2019, 10, 12, 10, tzinfo=ZoneInfo("Europe/Oslo"))
    masterclass = ActivityFactory(
        title="Mesterklasse joik",
        kind="masterclass",
        level="central",
        region=network.follo,
        starts_at=day,
        ends_at=day + timedelta(hours=4),
    )
    participation = ParticipationFactory(activity=masterclass, school=network.school_a, pupils=1, teachers=1)
    participation.named_pupils.set([pupil])
    return pupil


def test_dashboard_pdf_draws_sami_letters_with_embedded_dejavu(client_as, rector_a, sami_pupil):
    response = client_as(rector_a).get(reverse("schools:dashboard-pdf", args=["skole-a"]), {"skoleaar": 2019})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content[:5] == b"%PDF-"
    assert b"DejaVu" in content
    assert b"Helvetica" not in content
    fonts = pdf_font_names(content)
    assert fonts and all("DejaVuSans" in name for name in fonts), fonts
    assert NAME in " ".join(pdf_text(content).split())


def test_fonts_ship_with_the_project_and_their_licence():
    assert pdf.FONT_DIR.is_relative_to(pdf.Path(__file__).resolve().parents[2])
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (pdf.FONT_DIR / name).is_file(), name
    assert "Bitstream" in (pdf.FONT_DIR / "LICENSE-DejaVu.txt").read_text()
