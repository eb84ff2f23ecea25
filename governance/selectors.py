"""Reads of the governance app, and the scoping every other app uses: which schools a user
may see, which regions a coordinator covers."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class RoleFacts:
    """What the rules ask about a user's current roles, read in one query per request: the
    kinds (plus "steering_member" for a leader's or member's seat in the steering group), the
    schools they are rector of and the regions they coordinate."""

    kinds: frozenset[str]
    rector_school_ids: frozenset[int]
    coordinator_region_ids: frozenset[int]


NO_ROLES = RoleFacts(frozenset(), frozenset(), frozenset())


def role_facts(*, user: UserLike, on: date | None = None) -> RoleFacts:
    """The user's current roles as the rules ask about them, cached on the user object for
    the request (one query, the first time)."""
    if not user.is_authenticated:
        return NO_ROLES
    cache_key = f"_role_facts_{on}"
    if not hasattr(user, cache_key):
        kinds, schools, regions = set(), set(), set()
        rows = role_list_current_for_user(user=user, on=on).values_list("kind", "body__kind", "school_id", "region_id")
        for kind, body_kind, school_id, region_id in rows:
            kinds.add(kind)
            if body_kind == Body.Kind.STEERING_GROUP and kind in (Role.Kind.LEADER, Role.Kind.MEMBER):
                kinds.add("steering_member")
            if kind == Role.Kind.RECTOR and school_id:
                schools.add(school_id)
            if kind == Role.Kind.COORDINATOR and region_id:
                regions.add(region_id)
        setattr(user, cache_key, RoleFacts(frozenset(kinds), frozenset(schools), frozenset(regions)))
    return getattr(user, cache_key)


def _kinds(user: UserLike, on: date | None = None) -> frozenset[str]:
    return role_facts(user=user, on=on).kinds


def user_is_central_staff(*, user: UserLike) -> bool:
    """Daily leader or NMH coordinator (or a superuser): they manage the whole network."""
    return bool(user.is_authenticated and (user.is_superuser or _kinds(user) & set(Role.CENTRAL_STAFF)))


def user_is_steering_member(*, user: UserLike) -> bool:
    return bool(user.is_authenticated and "steering_member" in _kinds(user))


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


def portal_settings_get() -> PortalSetting:
    settings_row, _created = PortalSetting.objects.get_or_create(pk=1)
    return settings_row


def user_by_calendar_token(*, token: str):
    """The active person whose calendar feeds a secret opens, or None (a blank, unknown or
    over-long secret names no one)."""
    from .models import Profile

    if not token or len(token) > 64:
        return None
    profile = Profile.objects.select_related("user").filter(calendar_token=token, user__is_active=True).first()
    return profile.user if profile else None


def cooperation_area_list() -> QuerySet[CooperationArea]:
    """The cooperation areas, by number."""
    return CooperationArea.objects.order_by("number")
