from datetime import date

import pytest
from django.core.exceptions import ValidationError

from governance.models import AuditEntry, CooperationArea, Role
from governance.selectors import (
    portal_settings_get,
    region_list_coordinated_by,
    school_list_visible_to,
    user_is_central_staff,
    user_is_steering_member,
)
from governance.services import audit_record, role_assign

pytestmark = pytest.mark.django_db


def test_ten_cooperation_areas_present_after_migrate():
    areas = list(CooperationArea.objects.order_by("number").values_list("number", "name_nb", "since_year"))

    assert [number for number, _name, _year in areas] == list(range(1, 11))
    assert areas[0][1] == "Et helhetlig utdanningsløp"
    assert areas[1][1] == "Talentutvikling/forutdanning for høyere musikkutdanning"
    assert {number for number, _name, year in areas if year == 2019} == {4, 9, 10}


def test_pupil_load_threshold_defaults_to_six():
    assert portal_settings_get().pupil_load_threshold == 6


def test_rector_sees_only_own_school(network, rector_a):
    assert list(school_list_visible_to(user=rector_a)) == [network.school_a]


def test_coordinator_sees_schools_of_own_region(network, coord_follo):
    assert list(school_list_visible_to(user=coord_follo).order_by("name")) == [network.school_a, network.school_a2]
    assert list(region_list_coordinated_by(user=coord_follo)) == [network.follo]


def test_steering_member_and_daily_leader_see_all(network, steering_member, daily_leader):
    assert school_list_visible_to(user=steering_member).count() == 3
    assert school_list_visible_to(user=daily_leader).count() == 3
    assert user_is_steering_member(user=steering_member) is True
    assert user_is_central_staff(user=steering_member) is False
    assert user_is_central_staff(user=daily_leader) is True


def test_anonymous_sees_no_school(network):
    from django.contrib.auth.models import AnonymousUser

    assert school_list_visible_to(user=AnonymousUser()).count() == 0


def test_expired_role_gives_no_access(network):
    from governance.tests.factories import UserFactory

    user = UserFactory(username="tidligere-rektor")
    role_assign(
        user=user,
        kind=Role.Kind.RECTOR,
        school=network.school_a,
        valid_from=date(2014, 1, 1),
        valid_to=date(2019, 12, 31),
    )

    assert school_list_visible_to(user=user).count() == 0


def test_rector_role_without_school_refused(network):
    from governance.tests.factories import UserFactory

    with pytest.raises(ValidationError) as excinfo:
        role_assign(user=UserFactory(), kind=Role.Kind.RECTOR, valid_from=date(2020, 1, 1))

    assert "school" in excinfo.value.message_dict
    assert Role.objects.count() == 0


def test_audit_entry_cannot_be_changed_or_deleted(network, daily_leader):
    entry = audit_record(actor=daily_leader, action="test", obj=network.school_a, changes={"x": [1, 2]})

    entry.comment = "endret"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).comment == ""
