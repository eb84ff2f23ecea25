import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = list(admin.site._registry)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_answers_200_for_superuser(client, superuser, model):
    client.force_login(superuser)

    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_add_page_answers_200_for_superuser(client, superuser, model):
    client.force_login(superuser)
    model_admin = admin.site._registry[model]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")

    response = client.get(url)

    expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
    assert response.status_code == expected


def test_admin_refuses_user_without_staff_flag(client, rector_a):
    client.force_login(rector_a)

    response = client.get(reverse("admin:schools_school_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
