"""The privacy page (`/personvern/`): for everyone, without logging in, in Norwegian and in
English, linked from every page's footer."""

import pytest
from django.urls import reverse
from django.utils import translation

from governance.models import PortalSetting

pytestmark = pytest.mark.django_db


def test_privacy_page_url_is_personvern():
    assert reverse("privacy") == "/personvern/"


def test_privacy_page_anonymous_gets_200_in_norwegian(client):
    response = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="nb")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "privacy.html"
    assert "<title>Personvern" in html
    assert "Vi lagrer aldri fødselsnummer eller andre nasjonale identitetsnumre." in html
    assert "3 skoleår siden eleven sist deltok" in html


def test_privacy_page_rector_gets_200(client_as, rector_a):
    response = client_as(rector_a).get(reverse("privacy"))

    assert response.status_code == 200
    assert response.templates[0].name == "privacy.html"


def test_privacy_page_follows_the_portal_s_retention_setting(client):
    settings_row, _created = PortalSetting.objects.get_or_create(pk=1)
    if not hasattr(settings_row, "pupil_retention_school_years"):
        pytest.skip("the portal has no retention setting yet")
    PortalSetting.objects.filter(pk=1).update(pupil_retention_school_years=5)

    assert "5 skoleår siden eleven sist deltok" in client.get(reverse("privacy")).content.decode()


def test_privacy_page_in_english(client):
    with translation.override("en"):
        expected = translation.gettext("Personvern")
    response = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "en"
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert f"<title>{expected}" in html


@pytest.mark.parametrize("url", ["/", "/personvern/", "/logg-inn/"])
def test_footer_links_to_the_privacy_page(client, url):
    html = client.get(url).content.decode()

    assert '<a href="/personvern/" id="footer-privacy">Personvern</a>' in html
