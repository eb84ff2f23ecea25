"""Reads of the governance app, and the scoping every other app uses: which schools a user
may see, which regions a coordinator covers."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from schools.models import Region, School
from schools.selectors import school_list

from .models import Body, CooperationArea, PortalSetting, Role

UserLike = AbstractBaseUser | AnonymousUser


def role_list_current_for_user(*, user: UserLike, on: date | None = None) -> QuerySet[Role]:
    if not user.is_authenticated:
        return Role.objects.none()
    return (
        Role.objects.valid_on(on or timezone.localdate())
        .filter(user=user)
        .select_related("body", "region", "school", "partner")
    )


def _kinds(user: UserLike, on: date | None = None) -> set[str]:
    """The user's current role kinds, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cache_key = f"_role_kinds_{on}"
    if not hasattr(user, cache_key):
        roles = role_list_current_for_user(user=user, on=on)
        kinds = set()
        for kind, body_kind in roles.values_list("kind", "body__kind"):
            kinds.add(kind)
            if body_kind == Body.Kind.STEERING_GROUP and kind in (Role.Kind.LEADER, Role.Kind.MEMBER):
                kinds.add("steering_member")
        setattr(user, cache_key, kinds)
    return getattr(user, cache_key)


def user_is_central_staff(*, user: UserLike) -> bool:
    """Daily leader or NMH coordinator (or a superuser): they manage the whole network."""
    return bool(user.is_authenticated and (user.is_superuser or _kinds(user) & set(Role.CENTRAL_STAFF)))


def user_is_steering_member(*, user: UserLike) -> bool:
    return bool(user.is_authenticated and "steering_member" in _kinds(user))


def user_has_role_kind(*, user: UserLike, kinds) -> bool:
    """Whether the user holds a current role of one of these kinds (no query after the first
    role check of the request)."""
    return bool(user.is_authenticated and _kinds(user) & set(kinds))


def user_has_any_role(*, user: UserLike) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _kinds(user)))


def region_list_coordinated_by(*, user: UserLike, on: date | None = None) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(
        roles__in=role_list_current_for_user(user=user, on=on).filter(kind=Role.Kind.COORDINATOR)
    ).distinct()


def school_list_led_by(*, user: UserLike, on: date | None = None) -> QuerySet[School]:
    if not user.is_authenticated:
        return School.objects.none()
    return (
        school_list()
        .filter(roles__in=role_list_current_for_user(user=user, on=on).filter(kind=Role.Kind.RECTOR))
        .distinct()
    )


def school_list_visible_to(*, user: UserLike) -> QuerySet[School]:
    """Schools whose figures a user may see: all for central staff, the steering group and
    NMH; a coordinator's regions; a rector's own schools; nothing for anyone else."""
    if not user.is_authenticated:
        return School.objects.none()
    if user_is_central_staff(user=user) or user_is_steering_member(user=user):
        return school_list()
    roles = role_list_current_for_user(user=user)
    return school_list().filter(
        Q(pk__in=roles.filter(kind=Role.Kind.RECTOR).values("school"))
        | Q(region__in=roles.filter(kind=Role.Kind.COORDINATOR).values("region"))
    )


def cooperation_area_list() -> QuerySet[CooperationArea]:
    return CooperationArea.objects.order_by("number")


def portal_settings_get() -> PortalSetting:
    settings_row, _created = PortalSetting.objects.get_or_create(pk=1)
    return settings_row
