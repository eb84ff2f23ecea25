"""Writes of the governance app: roles, bodies, agreements, and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from core.audit import AuditAction
from core.services import validated_save
from schools.models import Region, School

from .models import Agreement, AuditEntry, Body, CooperationArea, Partner, Role


def actor_of(user):
    """The user to record as the one who acted: None for an anonymous visitor or a system job."""
    return user if getattr(user, "is_authenticated", False) else None


def audit_record(
    *, actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None, comment: str = ""
) -> AuditEntry:
    """Append an audit entry (call it inside the transaction of the change it records).
    `changes` maps a field to `[old, new]`."""
    return AuditEntry.objects.create(
        actor=actor_of(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:250],
        changes=changes or {},
        comment=comment,
    )


@transaction.atomic
def partner_upsert(*, name: str, kind: str, county=None, municipality=None, school: School | None = None) -> Partner:
    partner = Partner.objects.filter(name=name).first() or Partner()
    return validated_save(partner, name=name, kind=kind, county=county, municipality=municipality, school=school)


@transaction.atomic
def body_upsert(*, name: str, kind: str, region: Region | None = None, established: date | None = None) -> Body:
    body = Body.objects.filter(name=name).first() or Body()
    return validated_save(body, name=name, kind=kind, region=region, established=established)


@transaction.atomic
def agreement_upsert(
    *,
    title: str,
    valid_from: date,
    valid_to: date | None,
    partners: Iterable[Partner],
    areas: Iterable[CooperationArea],
    signed_on: date | None = None,
) -> Agreement:
    agreement = Agreement.objects.filter(title=title, valid_from=valid_from).first() or Agreement()
    validated_save(agreement, title=title, valid_from=valid_from, valid_to=valid_to, signed_on=signed_on)
    agreement.partners.set(partners)
    agreement.areas.set(areas)
    return agreement


@transaction.atomic
def role_assign(
    *,
    user,
    kind: str,
    valid_from: date,
    valid_to: date | None = None,
    body: Body | None = None,
    region: Region | None = None,
    school: School | None = None,
    partner: Partner | None = None,
    actor=None,
) -> Role:
    """Give a user a seat or position (idempotent for the same seat and start)."""
    role = (
        Role.objects.filter(
            user=user, kind=kind, body=body, region=region, school=school, valid_from=valid_from
        ).first()
        or Role()
    )
    created = role.pk is None
    validated_save(
        role,
        user=user,
        kind=kind,
        body=body,
        region=region,
        school=school,
        partner=partner,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    if created:
        audit_record(actor=actor, action=AuditAction.ROLE_ASSIGN, obj=role, changes={"kind": [None, kind]})
    return role


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str = "",
    password_hash: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first() or user_model(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_staff, user.is_superuser = is_staff or is_superuser, is_superuser
    if password_hash:
        user.password = password_hash
    elif not user.check_password(password):
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
