"""Who may do what, by the roles people hold (django-rules). Every app's rules build on the
predicates here; each app declares the permissions on its own models in their Meta
(`rules_permissions`). The apps below governance (schools, core) know no people: the
permissions on their models are declared at the end of this module.

The predicates read the user's current roles once per request (`role_facts`, cached on the
user object), so asking a permission again, for the menu or for every row of a page, costs no
query. See core/permissions.py for how a permission is answered, and the README for the table.
"""

from __future__ import annotations

import rules


def _facts(user):
    # Imported here: governance.models imports this module for its Meta, before the selectors
    # (which read those models) can be imported.
    from .selectors import role_facts

    return role_facts(user=user)


def _central_staff_kinds() -> tuple[str, ...]:
    from .models import Role

    return Role.CENTRAL_STAFF


@rules.predicate
def is_central_staff(user) -> bool:
    """The daily leader or NMH's coordinator, or a superuser: they keep the whole network."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(_facts(user).kinds & set(_central_staff_kinds()))


@rules.predicate
def holds_central_staff_role(user) -> bool:
    """The daily leader or NMH's coordinator by their role (a superuser is not): the steering
    group's case preparers."""
    return bool(user.is_authenticated and _facts(user).kinds & set(_central_staff_kinds()))


@rules.predicate
def is_steering_member(user) -> bool:
    """A leader's or member's seat in the steering group."""
    return bool(user.is_authenticated and "steering_member" in _facts(user).kinds)


@rules.predicate
def has_any_role(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _facts(user).kinds))


@rules.predicate
def leads_or_coordinates_a_school(user) -> bool:
    """A rector or a region's coordinator: they open their schools' dashboards."""
    facts = _facts(user)
    return bool(facts.rector_school_ids or facts.coordinator_region_ids)


@rules.predicate
def leads_school(user, school) -> bool:
    """The school's rector, or its region's coordinator."""
    if school is None:
        return False
    facts = _facts(user)
    return school.pk in facts.rector_school_ids or school.region_id in facts.coordinator_region_ids


@rules.predicate
def no_school_given(user, school) -> bool:
    return school is None


@rules.predicate
def manages_access(user) -> bool:
    """A superuser, or a person holding the role «Tilgangsforvalter» (access manager): they
    grant, change and end people's roles (governance.duties: never their own)."""
    if not user.is_authenticated:
        return False
    from .models import Role  # see _central_staff_kinds

    return user.is_superuser or Role.Kind.ACCESS_MANAGER in _facts(user).kinds


# Central staff keep the network's data in the admin; the steering group reads it.
keeps_network = is_central_staff
reads_network = is_central_staff | is_steering_member

# A school's figures: central staff and the steering group see every school, a rector their
# schools, a coordinator their region's. Without a school: whether the person has any school
# to open (the menu).
can_see_school = reads_network | leads_school | (no_school_given & leads_or_coordinates_a_school)

# Pupils are minors: their names are for the school's rector, its region's coordinator and
# central staff, not for every steering-group member. Without a school: every school's pupils
# (central staff).
sees_pupil_names = is_central_staff | leads_school


@rules.predicate
def sees_names_at_one_of_their_schools(user, pupil) -> bool:
    return pupil is not None and pupil.pk is not None and any(sees_pupil_names(user, s) for s in pupil.schools.all())


# A pupil's record: whoever may see pupils' names at one of the pupil's schools. Without a
# pupil (the admin's list): every pupil, central staff.
sees_pupil = is_central_staff | sees_names_at_one_of_their_schools


def _schools_registering(obj) -> list:
    """The schools a pupil is being registered at: a School asked about, or a new (unsaved)
    Pupil with the schools `schools.services.pupil_save` is given (`registering_at`)."""
    from schools.models import Pupil, School

    if isinstance(obj, School):
        return [obj]
    if isinstance(obj, Pupil) and obj.pk is None:
        return list(getattr(obj, "registering_at", None) or [])
    return []


@rules.predicate
def registers_pupils_at(user, obj) -> bool:
    """The rector or the region's coordinator of the school (of every school of a new pupil)."""
    schools = _schools_registering(obj)
    return bool(schools) and all(leads_school(user, school) for school in schools)


# Registering a pupil: the one rule of `schools.add_pupil`. At a school (asked with the
# School, or with the new Pupil pupil_save is saving for its schools): central staff, or the
# school's rector or its region's coordinator (from the import's preview). Without an object
# (the admin's add page, which offers every school): central staff only.
can_add_pupil = is_central_staff | registers_pupils_at


@rules.predicate
def leads_school_in_municipality(user, municipality) -> bool:
    """The rector of one of the municipality's schools, or the coordinator of a sub-region
    one of them belongs to (`leads_school`). Reads `municipality.schools.all()`: one query,
    none when the schools are prefetched (a list of municipalities)."""
    if municipality is None or not user.is_authenticated:
        return False
    facts = _facts(user)
    if not (facts.rector_school_ids or facts.coordinator_region_ids):
        return False
    return any(leads_school(user, school) for school in municipality.schools.all())


@rules.predicate
def no_municipality_given(user, municipality) -> bool:
    return municipality is None


# A municipality's sheet (kommuneark, issue 16) and making a signed link to it: central staff,
# the rector(s) of its schools and the coordinator(s) of their sub-regions; not the rest of
# the steering group (the issue: "the municipality's rector(s), the region's coordinator and
# central staff"). Without a municipality (the list, the menu): whether the person has any
# municipality to open.
can_open_municipality_sheet = (
    is_central_staff | leads_school_in_municipality | (no_municipality_given & leads_or_coordinates_a_school)
)


# The permissions on the models below governance. (The schools app's tables hold no people,
# so their rules can only be written here.)
for _perm, _predicate in {
    # the network overview: every school side by side
    "schools.view_network": reads_network,
    "schools.view_school": can_see_school,
    "schools.view_pupil_names": sees_pupil_names,
    "schools.add_school": keeps_network,
    "schools.change_school": keeps_network,
    "schools.view_county": reads_network,
    "schools.view_region": reads_network,
    "schools.view_municipality": reads_network,
    "schools.view_countymembership": reads_network,
    "schools.view_municipalitymerger": reads_network,
    "schools.view_municipalitypopulation": reads_network,
    "schools.add_municipalitypopulation": keeps_network,
    "schools.change_municipalitypopulation": keeps_network,
    "schools.view_membership": reads_network,
    "schools.add_membership": keeps_network,
    "schools.change_membership": keeps_network,
    "schools.delete_membership": keeps_network,
    "schools.view_enrolment": reads_network,
    "schools.add_enrolment": keeps_network,
    "schools.change_enrolment": keeps_network,
    "schools.delete_enrolment": keeps_network,
    "schools.view_pupil": sees_pupil,
    "schools.add_pupil": can_add_pupil,
    "schools.change_pupil": is_central_staff,
    # Never deleted: erased on request (schools.erase_pupil), so every figure stays.
    "schools.delete_pupil": rules.always_deny,
    # a municipality's one-page sheet, and a signed link to it for a reader without a login
    "schools.view_municipality_sheet": can_open_municipality_sheet,
    "schools.share_municipality_sheet": can_open_municipality_sheet,
    # the nightly rollups: their runs, and running them now
    "core.view_rolluprun": is_central_staff,
    "core.add_rolluprun": is_central_staff,
}.items():
    rules.add_perm(_perm, _predicate)


@rules.predicate
def rector_of_every_school_of_pupil(user, pupil) -> bool:
    """The rector of the pupil's school, when the pupil goes to no other school (a rector
    erases only a pupil who is theirs alone)."""
    if pupil is None or pupil.pk is None or not user.is_authenticated:
        return False
    school_ids = {school.pk for school in pupil.schools.all()}
    return bool(school_ids) and school_ids <= set(_facts(user).rector_school_ids)


# Erasing a pupil's personal data on request (activities.privacy.pupil_erase) and reading
# everything stored about them (pupil_access_report): central staff, or the rector of a
# pupil at their school only.
rules.add_perm("schools.erase_pupil", is_central_staff | rector_of_every_school_of_pupil)


# The access manager picks the person a role is for (the role form's search asks the user
# admin), and reads the accounts; only a superuser changes an account (Django's own rule:
# whoever may change a user may make them a superuser).
rules.add_perm("auth.view_user", manages_access)
# Failed logins and lockouts (django-axes, issue 14): central staff read the attempts and the
# log of failures and logins, and delete an attempt to unlock its username and address. The
# log itself stays (nobody but a superuser deletes from it). "axes" alone is the app's module
# permission: it shows the app in the admin's index.
for _perm in (
    "axes",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accessfailurelog",
    "axes.view_accesslog",
):
    rules.add_perm(_perm, is_central_staff)
