"""How the network is governed: the ten cooperation areas, the agreements partners sign,
the bodies (steering group, working committee, reference groups), the people's roles in
them, and the audit log that records what governance cares about.

Which schools a rector leads and which regions a coordinator covers are roles here too:
every permission in the portal reads them from this app (see governance/rules.py). The
people who log in are `Person`s: Django's users, whose permissions are the portal's rules.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin

from core.audit import AuditAction
from core.bounds import amount_validators, between_validators, pupil_load_validators, year_validators
from core.periods import Period, period_constraint
from core.permissions import is_portal_perm, portal_has_perm
from schools.models import County, Municipality, Region, School

from .rules import is_central_staff, keeps_network, manages_access, reads_network


class Person(User):
    """A user as the portal sees them (the same table as Django's users; the login backend,
    `governance.auth.PortalBackend`, gives every request one). The portal's permissions are
    answered by their rules alone, for a superuser too: Django's `User.has_perm` would let a
    superuser do anything, also lay a budget before the steering group and decide it."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = _("person")
        verbose_name_plural = _("personer")

    def has_perm(self, perm, obj=None):
        if is_portal_perm(perm):
            return portal_has_perm(self, perm, obj)
        return super().has_perm(perm, obj)


class CooperationArea(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """One of the ten cooperation areas (samarbeidsområder), numbered in the report's order."""

    number = models.PositiveSmallIntegerField(
        _("nummer"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    name_nb = models.CharField(_("navn (bokmål)"), max_length=200)
    name_en = models.CharField(_("navn (engelsk)"), max_length=200)
    since_year = models.PositiveSmallIntegerField(_("fra år"), validators=year_validators(_("fra år")))
    initiated_by = models.CharField(_("initiert av"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("samarbeidsområde")
        verbose_name_plural = _("samarbeidsområder")
        ordering = ["number"]
        # Reference data (a data migration): read-only everywhere.
        rules_permissions = {"view": reads_network}

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nb").startswith("en") else self.name_nb


class Partner(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A party to the cooperation: NMH, a county, a municipality or a school."""

    class Kind(models.TextChoices):
        NMH = "nmh", _("Norges musikkhøgskole")
        COUNTY = "county", _("Fylkeskommune")
        MUNICIPALITY = "municipality", _("Kommune")
        SCHOOL = "school", _("Skole")

    name = models.CharField(_("navn"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("fylke")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kommune")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("skole")
    )

    class Meta:
        verbose_name = _("samarbeidspart")
        verbose_name_plural = _("samarbeidsparter")
        ordering = ["kind", "name"]
        rules_permissions = {"view": reads_network, "add": keeps_network, "change": keeps_network}
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="county") & Q(county__isnull=False)) | ~Q(kind="county"),
                name="partner_county_has_county",
            ),
            models.CheckConstraint(
                condition=(Q(kind="municipality") & Q(municipality__isnull=False)) | ~Q(kind="municipality"),
                name="partner_municipality_has_municipality",
            ),
            models.CheckConstraint(
                condition=(Q(kind="school") & Q(school__isnull=False)) | ~Q(kind="school"),
                name="partner_school_has_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Agreement(RulesModelMixin, Period, metaclass=RulesModelBase):
    """A cooperation agreement (avtale) for a period, signed by partners, covering areas."""

    title = models.CharField(_("tittel"), max_length=200)
    partners = models.ManyToManyField(Partner, related_name="agreements", verbose_name=_("parter"))
    areas = models.ManyToManyField(CooperationArea, related_name="agreements", verbose_name=_("samarbeidsområder"))
    signed_on = models.DateField(_("signert"), null=True, blank=True)

    class Meta:
        verbose_name = _("avtale")
        verbose_name_plural = _("avtaler")
        ordering = ["valid_from"]
        rules_permissions = {"view": reads_network, "add": keeps_network, "change": keeps_network}
        constraints = [period_constraint("agreement_period_ordered")]

    def __str__(self) -> str:
        end = self.valid_to.year if self.valid_to else ""
        return f"{self.title} ({self.valid_from.year}–{end})"


class Body(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A governing body: the steering group, the working committee or a region's reference group."""

    class Kind(models.TextChoices):
        STEERING_GROUP = "steering_group", _("Styringsgruppe")
        WORKING_COMMITTEE = "working_committee", _("Arbeidsutvalg")
        REFERENCE_GROUP = "reference_group", _("Referansegruppe")

    name = models.CharField(_("navn"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("delregion"),
        help_text=_("Bare for referansegrupper."),
    )
    established = models.DateField(_("opprettet"), null=True, blank=True)

    class Meta:
        verbose_name = _("organ")
        verbose_name_plural = _("organer")
        ordering = ["kind", "name"]
        # A body's kind decides who decides the budget: changed by superusers and access
        # managers only (governance/duties.py), like people's roles.
        rules_permissions = {
            "view": reads_network | manages_access,
            "add": manages_access,
            "change": manages_access,
        }
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="reference_group") & Q(region__isnull=False))
                | (~Q(kind="reference_group") & Q(region__isnull=True)),
                name="body_region_only_for_reference_group",
                violation_error_message=_("En referansegruppe hører til én delregion; andre organer til ingen."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(RulesModelMixin, Period, metaclass=RulesModelBase):
    """A person's seat or position for a period.

    Seats in a body: leader, member, case preparer (body required). Positions: daily leader
    and NMH coordinator (central staff), coordinator of a region (region required), rector
    of a school (school required), access manager (grants the others; holds no other role).
    Who may hold which together: governance/duties.py.
    """

    class Kind(models.TextChoices):
        LEADER = "leader", _("Leder")
        MEMBER = "member", _("Medlem")
        CASE_PREPARER = "case_preparer", _("Saksforbereder")
        DAILY_LEADER = "daily_leader", _("Daglig leder")
        NMH_COORDINATOR = "nmh_coordinator", _("Koordinator for NMH")
        COORDINATOR = "coordinator", _("Koordinator for delregion")
        RECTOR = "rector", _("Rektor")
        ACCESS_MANAGER = "access_manager", _("Tilgangsforvalter")

    SEATS = (Kind.LEADER, Kind.MEMBER, Kind.CASE_PREPARER)
    CENTRAL_STAFF = (Kind.DAILY_LEADER, Kind.NMH_COORDINATOR)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person")
    )
    kind = models.CharField(_("rolle"), max_length=30, choices=Kind.choices)
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="roles", verbose_name=_("organ")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="roles", verbose_name=_("delregion")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="roles", verbose_name=_("skole")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("representerer"),
    )

    class Meta:
        verbose_name = _("rolle")
        verbose_name_plural = _("roller")
        ordering = ["user__username", "valid_from"]
        # Roles are power: only superusers and access managers grant, change or end them
        # (governance/duties.py), not the central staff who prepare the budget.
        rules_permissions = {
            "view": reads_network | manages_access,
            "add": manages_access,
            "change": manages_access,
            "delete": manages_access,
        }
        constraints = [
            period_constraint("role_period_ordered"),
            models.CheckConstraint(
                condition=~Q(kind__in=["leader", "member", "case_preparer"]) | Q(body__isnull=False),
                name="role_seat_has_body",
                violation_error_message=_("Et sete (leder, medlem, saksforbereder) må høre til et organ."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="coordinator") | Q(region__isnull=False),
                name="role_coordinator_has_region",
                violation_error_message=_("En koordinator må ha en delregion."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="rector") | Q(school__isnull=False),
                name="role_rector_has_school",
                violation_error_message=_("En rektor må ha en skole."),
            ),
        ]

    def __str__(self) -> str:
        target = self.body or self.region or self.school
        suffix = f" – {target}" if target else ""
        return f"{self.user.get_full_name() or self.user.username}: {self.get_kind_display()}{suffix}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind in self.SEATS and not self.body_id:
            errors["body"] = _("Velg organet setet hører til.")
        if self.kind == self.Kind.COORDINATOR and not self.region_id:
            errors["region"] = _("Velg delregionen koordinatoren dekker.")
        if self.kind == self.Kind.RECTOR and not self.school_id:
            errors["school"] = _("Velg skolen rektoren leder.")
        if errors:
            raise ValidationError(errors)


class AuditEntry(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """An append-only record of a change governance cares about: who, when (UTC), what
    changed from what to what, and why. Never edited or deleted through the portal."""

    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("utført av"),
    )
    action = models.CharField(_("handling"), max_length=50, choices=AuditAction.choices)
    object_type = models.CharField(_("objekttype"), max_length=100, db_index=True)
    object_id = models.CharField(_("objekt-id"), max_length=50, db_index=True)
    object_repr = models.CharField(_("objekt"), max_length=250)
    changes = models.JSONField(_("endringer"), default=dict, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("logglinje")
        verbose_name_plural = _("revisjonslogg")
        ordering = ["-at", "-id"]
        # Append-only. The log names pupils (an activity's participants, a pupil's record), so
        # it is read by those who may see every pupil's name; a budget's trail is on its page.
        rules_permissions = {"view": is_central_staff}
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("Revisjonsloggen kan ikke endres."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Revisjonsloggen kan ikke slettes."))


class DecisionRule(models.TextChoices):
    """When the steering group has decided (see governance/decisions.py, `decision_rule_met`):
    the leader and at least one other member, or a majority of the members seated that day."""

    LEADER_AND_MEMBER = "leader_and_member", _("Lederen og minst ett annet medlem")
    MAJORITY = "majority", _("Flertallet av medlemmene som har sete")


class PortalSetting(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """Settings central staff change in the admin. One row (pk=1)."""

    pupil_load_threshold = models.PositiveSmallIntegerField(
        _("varselgrense for elevbelastning"),
        default=6,
        validators=pupil_load_validators(_("varselgrense for elevbelastning")),
        help_text=_("Varsle når en elev deltar i så mange aktiviteter eller flere i samme semester."),
    )
    large_amount_warning = models.DecimalField(
        _("varselgrense for store beløp (kr)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("100000"),
        validators=amount_validators(_("varselgrense for store beløp (kr)")),
        help_text=_(
            "Spør «Stemmer det?» før en aktivitet lagres med en ny eller endret kostnadslinje over dette beløpet."
        ),
    )

    budget_decision_rule = models.CharField(
        _("vedtaksregel for budsjettet"),
        max_length=30,
        choices=DecisionRule.choices,
        default=DecisionRule.LEADER_AND_MEMBER,
        help_text=_(
            "Når styringsgruppen har vedtatt et budsjett: lederen og minst ett annet medlem stemmer for, eller "
            "flertallet av medlemmene som har sete den dagen. Én stemme for å sende tilbake sender budsjettet "
            "tilbake. En endring gjelder budsjetter som legges fram etterpå; et budsjett som alt er lagt fram, "
            "behandles etter regelen det ble lagt fram med."
        ),
    )

    pupil_retention_school_years = models.PositiveSmallIntegerField(
        _("oppbevaringstid for elever (skoleår)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "En elev som ikke har deltatt i noen aktivitet på så mange skoleår, og som ikke går på en medlems- "
            "eller pilotskole nå, pseudonymiseres automatisk hver natt (navnet og instrumentet erstattes)."
        ),
    )

    # Planning limits (issue 15): the warnings an activity's form gives before saving, and the
    # marks on the activity list (activities/clashes.py).
    clash_days_same_instrument = models.PositiveSmallIntegerField(
        _("dager mellom aktiviteter med samme instrument"),
        default=3,
        validators=between_validators(_("dager mellom aktiviteter med samme instrument"), 0, 60),
        help_text=_(
            "Varsle om kollisjon når en skole deltar i to aktiviteter med samme instrument/instrumentgruppe "
            "med så mange dager eller færre mellom seg (aktiviteter samme dag varsles alltid). 0: bare samme dag."
        ),
    )
    max_activities_per_school_month = models.PositiveSmallIntegerField(
        _("største antall aktiviteter per skole per måned"),
        default=4,
        validators=between_validators(_("største antall aktiviteter per skole per måned"), 1, 100),
        help_text=_("Varsle når en skole får tilbud om flere aktiviteter enn dette i én kalendermåned."),
    )
    max_travel_km = models.PositiveSmallIntegerField(
        _("lengste reisevei (km)"),
        default=60,
        validators=between_validators(_("lengste reisevei (km)"), 1, 2000),
        help_text=_(
            "Varsle når avstanden i luftlinje fra en deltakende skoles kommune til stedet er lengre enn dette."
        ),
    )

    class Meta:
        verbose_name = _("innstilling")
        verbose_name_plural = _("innstillinger")
        rules_permissions = {"view": reads_network, "add": keeps_network, "change": keeps_network}

    def __str__(self) -> str:
        return str(_("Portalinnstillinger"))


class Profile(models.Model):
    """A person's own choices: the language of the e-mails the portal sends them and whether
    they get the budget workflow's notices. A row is made the first time the person saves
    their profile page; until then the defaults hold (`Profile.of`)."""

    class Language(models.TextChoices):
        NB = "nb", _("Norsk bokmål")
        EN = "en", _("Engelsk")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("person")
    )
    language = models.CharField(_("språk i e-post"), max_length=5, choices=Language.choices, default=Language.NB)
    receives_notices = models.BooleanField(
        _("få e-post om budsjettet"),
        default=True,
        help_text=_("E-post når et budsjett legges fram for styringsgruppen, vedtas eller sendes tilbake."),
    )
    receives_digest = models.BooleanField(
        _("få ukeoversikt som rektor"),
        default=True,
        help_text=_("Hver mandag: skolens aktiviteter de neste fire ukene og elever over varselgrensen."),
    )
    receives_reminders = models.BooleanField(
        _("få påminnelser om deltakertall"),
        default=True,
        help_text=_("Når en aktivitet i delregionen din mangler deltakertall 7 og 21 dager etter at den ble holdt."),
    )
    # The person's Feide account (governance/oidc.py): the `sub` claim Feide sends for them,
    # set by a superuser. A Feide login is this person's only when it names this identifier
    # (or their verified e-mail); nobody links themselves.
    feide_subject = models.CharField(
        _("Feide-identifikator"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": _("En annen person er allerede koblet til denne Feide-kontoen.")},
        validators=[
            RegexValidator(
                r"^[\x21-\x7e]+\Z",
                _("Feide-identifikatoren kan bare ha synlige ASCII-tegn, uten mellomrom."),
            )
        ],
        help_text=_(
            "Feides «sub» for personen (f.eks. 76a7a061-3c55-430d-8ee0-6f82ec42501f). "
            "Med den kan personen logge inn med Feide. Tom: ingen Feide-innlogging."
        ),
    )

    # The secret in the addresses of the person's calendar feeds (activities/feeds.py, issue 15):
    # made the first time the profile page shows them; a new one ("Lag ny lenke") makes the old
    # addresses answer 404. Blank: no feeds yet.
    calendar_token = models.CharField(_("kalendernøkkel"), max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profiler")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def of(cls, user) -> Profile:
        """The user's profile: the saved one, or an unsaved one with the defaults."""
        return cls.objects.filter(user=user).first() or cls(user=user)
