"""The demo network keeps the separation of duties (governance/duties.py). Apart from
test_role_duties.py: the demo network is loaded once per module, and the factory-built
network of the other tests would collide with it."""

from governance.models import Role


def test_no_demo_person_both_prepares_and_decides(demo_network, db):
    from governance.duties import role_conflicts

    for role in Role.objects.select_related("body", "user"):
        others = Role.objects.filter(user=role.user).exclude(pk=role.pk).select_related("body", "user")
        assert role_conflicts(role=role, others=others) == [], str(role)
    assert Role.objects.filter(kind=Role.Kind.ACCESS_MANAGER, user__username="tilgang").exists()
