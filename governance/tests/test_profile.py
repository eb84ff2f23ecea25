"""A person's profile page (/profil/): the language of the portal's e-mails and whether they get
the budget's notices. Every logged-in person sees and saves their own; the URL names no one."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from hypothesis import given, note

from conftest import make_persona
from core.tests.hostile import (
    MISSING,
    NAMED_VALUES,
    RenderedForm,
    apply,
    body,
    changed_tables,
    form_changes,
    hostile_client,
    hostile_settings,
    send,
    snapshot,
    with_examples,
)
from governance.models import Profile
from governance.services import profile_save

pytestmark = pytest.mark.django_db

URL = "/profil/"


def test_profile_url_is_profil():
    assert reverse("profile") == URL


def test_profile_page_shows_defaults_without_saving(client_as, rector_a):
    response = client_as(rector_a).get(URL)

    assert response.status_code == 200
    form = RenderedForm.read(response.content, form_id="profile-form")
    assert (form.values["language"], form.values["receives_notices"]) == (["nb"], ["on"])
    assert form.choices["language"] == ["nb", "en"]
    assert Profile.objects.count() == 0
    html = response.content.decode()
    assert '<label for="id_receives_notices"' in html
    assert "<title>Min profil – UngMusikk</title>" in html


def test_profile_page_saves_own_profile_with_message(client_as, rector_a, coord_follo):
    client = client_as(rector_a)
    response = client.post(URL, {"language": "en"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    profile = Profile.objects.get()
    assert (profile.user, profile.language, profile.receives_notices) == (rector_a, "en", False)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Profilen din er lagret."]
    assert not Profile.objects.filter(user=coord_follo).exists()


def test_profile_page_saves_again_without_a_second_row(client_as, steering_member):
    client = client_as(steering_member)
    client.post(URL, {"language": "en"})
    client.post(URL, {"language": "nb", "receives_notices": "on"})

    assert list(Profile.objects.values_list("user__username", "language", "receives_notices")) == [
        ("styre", "nb", True)
    ]


def test_profile_page_shows_saved_choices(client_as, rector_a):
    Profile.objects.create(user=rector_a, language="en", receives_notices=False)
    form = RenderedForm.read(client_as(rector_a).get(URL).content, form_id="profile-form")

    assert form.values["language"] == ["en"]
    assert "receives_notices" not in form.values


def test_profile_page_is_each_persons_own(client_as, rector_a, coord_follo):
    """No id in the URL: a person can only ever reach and save their own profile, whatever
    else the form carries."""
    Profile.objects.create(user=rector_a, language="en", receives_notices=False)
    client = client_as(coord_follo)
    client.post(URL, {"language": "en", "receives_notices": "on", "user": str(rector_a.pk)})

    assert dict(Profile.objects.values_list("user__username", "receives_notices")) == {
        "rektor-a": False,
        "koord-follo": True,
    }


def test_profile_page_refuses_an_unknown_language(client_as, rector_a):
    response = client_as(rector_a).post(URL, {"language": "sv", "receives_notices": "on"})

    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert Profile.objects.count() == 0


def test_profile_page_for_a_person_without_a_role(client_as):
    user = make_persona("ingen-rolle")
    assert client_as(user).get(URL).status_code == 200


def test_profile_page_anonymous_is_sent_to_login(client):
    for response in (client.get(URL), client.post(URL, {"language": "en"})):
        assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={URL}")
    assert Profile.objects.count() == 0


def test_profile_link_in_menu_for_logged_in_only(client, client_as, rector_a):
    assert f'href="{URL}"' not in client.get(reverse("login")).content.decode()
    # beside "Logg ut", where a person looks for what is theirs
    assert f'id="profile-link" href="{URL}">Min profil</a>' in client_as(rector_a).get(URL).content.decode()


def test_profile_save_refuses_anonymous():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        profile_save(user=AnonymousUser(), language="nb", receives_notices=True)


def test_profile_of_gives_defaults_unsaved(rector_a):
    profile = Profile.of(rector_a)

    assert (profile.pk, profile.language, profile.receives_notices) == (None, "nb", True)


# -- hostile input -------------------------------------------------------------------------------


@pytest.fixture
def profile_page(rector_a):
    client = hostile_client(rector_a)
    return client, RenderedForm.read(body(send(client, "get", URL)), form_id="profile-form")


@hostile_settings(25)
@with_examples(
    *({"changes": {"language": [value]}} for value in NAMED_VALUES),
    *({"changes": {"receives_notices": [value]}} for value in ["\x00", "false", "0", "", "<script>"]),
    {"changes": {"language": MISSING}},
    {"changes": {"language": ["nb", "en"]}},
    {"changes": {"csrfmiddlewaretoken": MISSING}},
)
@given(changes=form_changes(["language", "receives_notices", "user"], max_fields=3))
def test_profile_form_hostile(profile_page, rector_a, changes):
    """Whatever is posted: never a server error; a refusal changes nothing; a save writes the
    person's own profile only, with a language the portal has."""
    client, form = profile_page
    resolved = form.resolve(changes)
    note(f"changes: {resolved!r}")
    before = snapshot(Profile)
    response = send(client, "post", URL, apply(form.data(), resolved))

    if response.status_code == 302:
        assert list(Profile.objects.values_list("user_id", flat=True)) == [rector_a.pk]
        assert Profile.objects.get().language in ("nb", "en")
    else:
        assert response.status_code == 200
        after = snapshot(Profile)
        assert after == before, f"refused form changed {changed_tables(before, after)}"
