"""Writes of the governance app: roles, bodies, agreements, and the audit log.

The `_upsert`/`role_assign` services build the network (the loader); the `<entity>_save`/
`_delete` services are a person's writes (the admin), each checked against the person's
permission (governance/rules.py) and audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext

from core.audit import AuditAction
from core.permissions import perm_name, require_perm
from core.services import audit_values, audited_delete, audited_save, validated_save
from schools.models import Region, School

from . import duties
from .models import Agreement, AuditEntry, Body, CooperationArea, Partner, PortalSetting, Role


def actor_of(user):
    """The user to record as the one who acted: None for an anonymous visitor or a system job."""
    return user if getattr(user, "is_authenticated", False) else None


def audit_record(
    *, actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None, comment: str = ""
) -> AuditEntry:
    """Append an audit entry (call it inside the transaction of the change it records).
    `changes` maps a field to `[old, new]`. The object's name is stored in the portal's language
    (settings.LANGUAGE_CODE), whatever language the actor's pages were in: the log is read as
    one text. The apps below governance reach this through core.audit.audit_record (set in
    governance.apps)."""
    with translation.override(settings.LANGUAGE_CODE):
        object_repr = str(obj)[:250]
    return AuditEntry.objects.create(
        actor=actor_of(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=object_repr,
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
    """Give a user a seat or position (idempotent for the same seat and start). Held to the
    separation of duties (`governance.duties`): a role that conflicts with the user's other
    roles, or one given by `actor` to themselves, raises ValidationError and nothing is saved.
    `actor` None is the system (the demo loader); a person granting needs `governance.add_role`."""
    role = (
        Role.objects.filter(
            user=user, kind=kind, body=body, region=region, school=school, valid_from=valid_from
        ).first()
        or Role()
    )
    created = role.pk is None
    if actor is not None:
        require_perm(actor, "governance.add_role" if created else "governance.change_role", role)
    role.user, role.kind, role.body, role.region, role.school = user, kind, body, region, school
    role.partner, role.valid_from, role.valid_to = partner, valid_from, valid_to
    role_duties_check(role=role, actor=actor)
    validated_save(role)
    if created:
        # Who (the actor), whom, what and for which period.
        changes = {name: [None, value] for name, value in audit_values(role).items() if value is not None}
        audit_record(actor=actor, action=AuditAction.ROLE_ASSIGN, obj=role, changes=changes)
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


def role_duties_check(*, role: Role, actor) -> None:
    """Raise ValidationError when writing `role` (as it stands, unsaved) would break the
    separation of duties (`governance.duties`): `actor` writing a role of their own (the
    stored role's holder counts too), or the role overlapping a conflicting role of its
    holder. The holder's roles are locked first, so two saves cannot both pass."""
    stored = Role.objects.filter(pk=role.pk).values_list("user_id", flat=True).first() if role.pk else None
    for holder in {role.user_id, stored} - {None}:
        refusal = duties.role_self_refusal(role=Role(user_id=holder), actor=actor)
        if refusal:
            raise ValidationError({"user": refusal})
    if not role.user_id or not role.valid_from:
        return  # the model's own validation names the missing field
    # The holder's row is the lock: two grants to one person wait for each other.
    holder = get_user_model().objects.select_for_update().filter(pk=role.user_id).first()
    others = list(Role.objects.filter(user_id=role.user_id).select_related("body", "user"))
    refusals = [
        refusal
        for refusal in (
            duties.role_duplicate_refusal(role=role, others=others),
            duties.role_superuser_refusal(role=role, holder=holder),
        )
        if refusal
    ]
    refusals += duties.role_conflicts(role=role, others=others)
    if refusals:
        raise ValidationError({"kind": refusals})


def body_duties_check(*, body: Body) -> None:
    """Raise ValidationError when `body`, as it stands (unsaved), would break the separation of
    duties for the roles already in it: a body made the steering group turns its leader's and
    members' seats into deciding seats (and a case preparer's into a preparing one)."""
    if body.pk is None:
        return
    for role in Role.objects.filter(body_id=body.pk).select_related("user"):
        role.body = body
        others = list(Role.objects.filter(user_id=role.user_id).exclude(pk=role.pk).select_related("body", "user"))
        refusals = duties.role_conflicts(role=role, others=others)
        superuser = duties.role_superuser_refusal(role=role, holder=role.user)
        if superuser:
            refusals.append(superuser)
        if refusals:
            raise ValidationError(
                {"kind": [gettext("%(person)s kan ikke ha setet i et slikt organ.") % {"person": role.user}, *refusals]}
            )


@transaction.atomic
def role_save(*, role: Role, user) -> Role:
    """A person's seat or position as someone entered it (the admin): by a superuser or an
    access manager (`governance.add_role`/`change_role`), never for themselves, held to the
    separation of duties (`role_duties_check`); audited (who, whom, what, period)."""
    require_perm(user, perm_name(role, "add" if role.pk is None else "change"), role)
    role_duties_check(role=role, actor=user)
    return audited_save(role, user=user, created=AuditAction.ROLE_ASSIGN, updated=AuditAction.ROLE_UPDATE)


@transaction.atomic
def role_delete(*, role: Role, user) -> None:
    """Remove a role entered by mistake (a role that ended gets its end date instead): by a
    superuser or an access manager, never one's own."""
    require_perm(user, "governance.delete_role", role)
    refusal = duties.role_self_refusal(role=role, actor=user)
    if refusal:
        raise ValidationError(refusal)
    audited_delete(role, user=user, action=AuditAction.ROLE_DELETE)


@transaction.atomic
def partner_save(*, partner: Partner, user) -> Partner:
    return audited_save(partner, user=user, created=AuditAction.PARTNER_CREATE, updated=AuditAction.PARTNER_UPDATE)


@transaction.atomic
def agreement_save(
    *, agreement: Agreement, user, partners: Iterable[Partner], areas: Iterable[CooperationArea]
) -> Agreement:
    return audited_save(
        agreement,
        user=user,
        created=AuditAction.AGREEMENT_CREATE,
        updated=AuditAction.AGREEMENT_UPDATE,
        m2m={"partners": list(partners), "areas": list(areas)},
    )


@transaction.atomic
def body_save(*, body: Body, user) -> Body:
    """A body as someone entered it (the admin): by a superuser or an access manager (its kind
    decides who decides the budget), held to the separation of duties for its roles
    (`body_duties_check`); audited."""
    require_perm(user, perm_name(body, "add" if body.pk is None else "change"), body)
    body_duties_check(body=body)
    return audited_save(body, user=user, created=AuditAction.BODY_CREATE, updated=AuditAction.BODY_UPDATE)


@transaction.atomic
def portal_setting_save(*, setting: PortalSetting, user) -> PortalSetting:
    """The portal's settings (the pupil-load threshold), as central staff set them."""
    return audited_save(
        setting, user=user, created=AuditAction.PORTAL_SETTING_UPDATE, updated=AuditAction.PORTAL_SETTING_UPDATE
    )


@transaction.atomic
def profile_save(
    *,
    user,
    language: str,
    receives_notices: bool,
    receives_digest: bool | None = None,
    receives_reminders: bool | None = None,
) -> models.Model:
    """A person's own profile (the profile page), made the first time it is saved: the
    language of the portal's e-mails to them, whether they get the budget workflow's notices,
    the rectors' weekly digest and the coordinators' reminders (None: left as they are). Only
    the person's own: there is no other profile to name. Returns the Profile."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .models import Profile

    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Logg inn for å endre profilen din."))
    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    choices = {"receives_digest": receives_digest, "receives_reminders": receives_reminders}
    return validated_save(
        profile,
        language=language,
        receives_notices=receives_notices,
        **{name: bool(value) for name, value in choices.items() if value is not None},
    )


@transaction.atomic
def profile_calendar_token_get(*, user) -> str:
    """The secret in the addresses of a person's calendar feeds (activities/feeds.py), made
    (and the profile with it) the first time it is asked for."""
    import secrets

    from .models import Profile

    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    if not profile.calendar_token:
        validated_save(profile, calendar_token=secrets.token_urlsafe(32))
    return profile.calendar_token


@transaction.atomic
def profile_calendar_token_renew(*, user) -> str:
    """A new secret for the person's calendar feeds: every address with the old one answers
    404 from now on. Only the person's own (the profile page). Returns the new secret."""
    import secrets

    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .models import Profile

    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Logg inn for å endre profilen din."))
    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    validated_save(profile, calendar_token=secrets.token_urlsafe(32))
    return profile.calendar_token


@transaction.atomic
def profile_feide_subject_set(*, user, person, feide_subject: str | None) -> models.Model:
    """Link `person` to a Feide account (the `sub` claim Feide sends for them; governance/oidc.py),
    or unlink it (None or blank). Only a superuser links: whoever links a Feide account decides
    who may log in as the person. Audited with the old and the new identifier. Returns the
    Profile (made now if the person had none)."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .models import Person, Profile

    if not getattr(user, "is_superuser", False):
        raise PermissionDenied(_("Bare en superbruker kan koble en person til en Feide-konto."))
    profile = Profile.objects.select_for_update().filter(user=person).first() or Profile(user=person)
    old = profile.feide_subject
    new = (feide_subject or "").strip() or None
    if profile.pk is not None and old == new:
        return profile
    validated_save(profile, feide_subject=new)
    if old != new:
        audit_record(
            actor=user,
            action=AuditAction.FEIDE_SUBJECT_SET,
            obj=Person._default_manager.get(pk=person.pk),
            changes={"feide_subject": [old, new]},
        )
    return profile
