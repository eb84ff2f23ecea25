"""The network's money, a "spleiselag" where every partner pays: contribution tiers,
municipal contributions, the county grant, NMH's cash and in-kind contributions, and the
annual budget with its lines. Money is Decimal NOK, never float."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin

from core.bounds import amount_validators, count_validators, population_validators, year_validators
from core.formatting import date_text, money_text, number_text
from core.periods import Period, period_constraint
from governance.models import CooperationArea, Partner
from schools.models import County, Municipality, Region, School

from .rules import BUDGET_PERMISSIONS, KEPT_BY_PREPARERS, may_prepare_budget, may_view_budget

NOK = {"max_digits": 14, "decimal_places": 2}


class ContributionTier(RulesModelMixin, Period, metaclass=RulesModelBase):
    """The yearly municipal contribution for a population band, effective-dated.
    The band includes `min_population` and excludes `max_population_below`."""

    min_population = models.PositiveIntegerField(
        _("fra innbyggere"), validators=population_validators(_("fra innbyggere"))
    )
    max_population_below = models.PositiveIntegerField(
        _("under innbyggere"),
        null=True,
        blank=True,
        validators=population_validators(_("under innbyggere")),
        help_text=_("Tom betyr ingen øvre grense."),
    )
    amount = models.DecimalField(_("beløp (NOK)"), validators=amount_validators(_("beløp (NOK)")), **NOK)

    class Meta:
        verbose_name = _("tilskuddssats")
        verbose_name_plural = _("tilskuddssatser")
        ordering = ["valid_from", "min_population"]
        # Reference data (a data migration).
        rules_permissions = {"view": may_view_budget}
        constraints = [
            period_constraint("tier_period_ordered"),
            models.CheckConstraint(
                condition=Q(max_population_below__isnull=True) | Q(max_population_below__gt=models.F("min_population")),
                name="tier_band_ordered",
                violation_error_message=_("Øvre grense må være større enn nedre grense."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="tier_amount_not_negative"),
        ]

    def __str__(self) -> str:
        # In the active language: "50 000 innbyggere eller flere: 100 000 kr", English
        # "50,000 inhabitants or more: NOK 100,000" (core.formatting).
        if self.max_population_below is None:
            band = _("%(low)s innbyggere eller flere") % {"low": number_text(self.min_population)}
        else:
            band = _("%(low)s–%(high)s innbyggere") % {
                "low": number_text(self.min_population),
                "high": number_text(self.max_population_below - 1),
            }
        return f"{band}: {money_text(self.amount, places=0)}"

    def clean(self) -> None:
        super().clean()
        below, low = self.max_population_below, self.min_population
        if below is not None and low is not None and below <= low:
            raise ValidationError({"max_population_below": _("Øvre grense må være større enn nedre grense.")})

    def covers(self, population: int) -> bool:
        return population >= self.min_population and (
            self.max_population_below is None or population < self.max_population_below
        )


class MunicipalContribution(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """What a municipality pays in a year: computed from the tier table and that year's
    population, overridable with a reason; invoiced and paid dates follow the money."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=year_validators(_("år")))
    population = models.PositiveIntegerField(
        _("innbyggere (grunnlag)"), validators=population_validators(_("innbyggere (grunnlag)"))
    )
    tier = models.ForeignKey(
        ContributionTier, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("sats")
    )
    computed_amount = models.DecimalField(_("beregnet beløp"), validators=amount_validators(_("beregnet beløp")), **NOK)
    amount = models.DecimalField(_("beløp (NOK)"), validators=amount_validators(_("beløp (NOK)")), **NOK)
    override_reason = models.CharField(
        _("begrunnelse for avvik"),
        max_length=300,
        blank=True,
        help_text=_("Påkrevd når beløpet avviker fra satsen."),
    )
    invoiced_on = models.DateField(_("fakturert"), null=True, blank=True)
    paid_on = models.DateField(_("betalt"), null=True, blank=True)

    class Meta:
        verbose_name = _("kommunalt tilskudd")
        verbose_name_plural = _("kommunale tilskudd")
        ordering = ["-year", "municipality__name"]
        rules_permissions = KEPT_BY_PREPARERS
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="contribution_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.name} {self.year}: {self.amount:,.0f} kr".replace(",", " ")

    def clean(self) -> None:
        super().clean()
        errors = {}
        if (
            self.amount is not None
            and self.computed_amount is not None
            and self.amount != self.computed_amount
            and not self.override_reason.strip()
        ):
            errors["override_reason"] = _("Skriv hvorfor beløpet avviker fra satsen (%(amount)s kr).") % {
                "amount": f"{self.computed_amount:,.0f}".replace(",", " ")
            }
        if self.paid_on and self.invoiced_on and self.paid_on < self.invoiced_on:
            errors["paid_on"] = _("Betalt kan ikke være før fakturert.")
        # A record of what happened: a day that has not come yet is a typing error.
        today = timezone.localdate()
        if self.invoiced_on and self.invoiced_on > today:
            errors["invoiced_on"] = _("Fakturert kan ikke være fram i tid (i dag er %(today)s).") % {
                "today": date_text(today)
            }
        if self.paid_on and self.paid_on > today:
            errors.setdefault(
                "paid_on", _("Betalt kan ikke være fram i tid (i dag er %(today)s).") % {"today": date_text(today)}
            )
        if errors:
            raise ValidationError(errors)


class CountyGrant(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """The county grant for a year: 2.5 MNOK in 2019, after that last year's amount times
    an index factor (editable with a reason)."""

    year = models.PositiveSmallIntegerField(_("år"), unique=True, validators=year_validators(_("år")))
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="grants", verbose_name=_("fylke"))
    index_factor = models.DecimalField(
        _("indeksfaktor"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("1.0000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Beløpet er fjorårets tilskudd ganget med denne faktoren."),
    )
    amount = models.DecimalField(_("beløp (NOK)"), validators=amount_validators(_("beløp (NOK)")), **NOK)
    reason = models.CharField(_("begrunnelse"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("fylkeskommunalt tilskudd")
        verbose_name_plural = _("fylkeskommunale tilskudd")
        ordering = ["-year"]
        rules_permissions = KEPT_BY_PREPARERS
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_not_negative"),
            models.CheckConstraint(condition=Q(index_factor__gte=0), name="grant_index_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.county.name} {self.year}: {self.amount:,.0f} kr".replace(",", " ")


class PartnerContribution(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A partner's contribution in a year: cash, or in kind (premises, administration,
    teachers) valued in NOK and kept apart from the cash total."""

    class Form(models.TextChoices):
        CASH = "cash", _("Kontanter")
        IN_KIND = "in_kind", _("Naturalytelse")

    class Category(models.TextChoices):
        CASH = "cash", _("Kontantbidrag")
        PREMISES = "premises", _("Lokaler")
        ADMINISTRATION = "administration", _("Administrasjon")
        TEACHERS = "teachers", _("Lærere")
        OTHER = "other", _("Annet")

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("samarbeidspart")
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=year_validators(_("år")))
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    description = models.CharField(_("beskrivelse"), max_length=250, blank=True)
    amount = models.DecimalField(_("beløp/verdi (NOK)"), validators=amount_validators(_("beløp/verdi (NOK)")), **NOK)

    class Meta:
        verbose_name = _("partnerbidrag")
        verbose_name_plural = _("partnerbidrag")
        ordering = ["-year", "partner__name", "form", "category"]
        rules_permissions = {**KEPT_BY_PREPARERS, "delete": may_prepare_budget}
        constraints = [
            models.UniqueConstraint(fields=["partner", "year", "category"], name="partner_contribution_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="partner_contribution_not_negative"),
            models.CheckConstraint(
                condition=(Q(form="cash") & Q(category="cash")) | (Q(form="in_kind") & ~Q(category="cash")),
                name="partner_contribution_form_matches_category",
                violation_error_message=_("Kontantbidrag har kategori kontanter; naturalytelser en annen kategori."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.year}: {self.get_category_display()}"


class Budget(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """The annual budget, one revision at a time. An approved revision is read-only;
    changing it means a new revision that points to the one it replaces."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Lagt fram")
        APPROVED = "approved", _("Vedtatt")
        RETURNED = "returned", _("Sendt tilbake")

    year = models.PositiveSmallIntegerField(_("år"), validators=year_validators(_("år")))
    revision = models.PositiveSmallIntegerField(_("revisjon"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("erstatter"),
    )
    notes = models.TextField(_("notater"), blank=True)
    version = models.PositiveIntegerField(
        _("versjon"),
        default=1,
        editable=False,
        help_text=_("Øker når notatene lagres; et skjema lastet fra en eldre versjon blir avvist."),
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opprettet av"),
    )
    submitted_at = models.DateTimeField(_("lagt fram"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lagt fram av"),
    )
    submission = models.PositiveSmallIntegerField(
        _("framlegging"),
        default=0,
        editable=False,
        help_text=_("Øker hver gang budsjettet legges fram; stemmene gjelder én framlegging."),
    )
    decision_rule = models.CharField(
        _("vedtaksregel"),
        max_length=30,
        blank=True,
        editable=False,
        help_text=_(
            "Portalens vedtaksregel da budsjettet ble lagt fram; den gjelder stemmene over denne framleggingen."
        ),
    )
    decided_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("behandlet av"),
    )

    class Meta:
        verbose_name = _("budsjett")
        verbose_name_plural = _("budsjetter")
        ordering = ["-year", "-revision"]
        rules_permissions = BUDGET_PERMISSIONS
        constraints = [
            models.UniqueConstraint(fields=["year", "revision"], name="budget_revision_unique"),
        ]

    # Drafts and returned budgets are edited and (re)submitted; the rest are read-only.
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    def __str__(self) -> str:
        return _("Budsjett %(year)s, revisjon %(revision)s") % {"year": self.year, "revision": self.revision}

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class BudgetVote(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A steering-group member's vote on one submission of a budget: to approve, or to return it
    with a comment. One vote per member and submission; a budget submitted again (after being
    returned) or a new revision starts with no votes. Written only by `funding.services`."""

    class Choice(models.TextChoices):
        APPROVE = "approve", _("For å vedta")
        RETURN = "return", _("Send tilbake")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="votes", verbose_name=_("budsjett"))
    submission = models.PositiveSmallIntegerField(_("framlegging"))
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("medlem")
    )
    choice = models.CharField(_("stemme"), max_length=10, choices=Choice.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    cast_at = models.DateTimeField(_("avgitt"), auto_now_add=True)

    class Meta:
        verbose_name = _("stemme")
        verbose_name_plural = _("stemmer")
        ordering = ["budget", "submission", "cast_at", "pk"]
        rules_permissions = {"view": may_view_budget}
        constraints = [
            models.UniqueConstraint(fields=["budget", "submission", "voter"], name="budget_vote_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.budget}: {self.get_choice_display()}"


class BudgetLine(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """One line of a budget. Income lines add to the cash total, expense lines spend it;
    in-kind lines are shown beside the budget and kept out of the cash balance."""

    class Kind(models.TextChoices):
        COUNTY_GRANT = "county_grant", _("Fylkeskommunalt tilskudd")
        MUNICIPAL_CONTRIBUTION = "municipal_contribution", _("Kommunalt tilskudd")
        PARTNER_CASH = "partner_cash", _("Partnerbidrag, kontanter")
        OTHER_INCOME = "other_income", _("Andre inntekter")
        IN_KIND = "in_kind", _("Naturalytelse")
        CENTRAL_MANAGEMENT = "central_management", _("Sentral ledelse")
        REGION_POOL = "region_pool", _("Regional pott")
        SCHOOL_ALLOCATION = "school_allocation", _("Tildeling til skole")
        AREA_EARMARK = "area_earmark", _("Øremerket samarbeidsområde")
        RESERVE = "reserve", _("Reserve")

    INCOME = (Kind.COUNTY_GRANT, Kind.MUNICIPAL_CONTRIBUTION, Kind.PARTNER_CASH, Kind.OTHER_INCOME)
    EXPENSE = (
        Kind.CENTRAL_MANAGEMENT,
        Kind.REGION_POOL,
        Kind.SCHOOL_ALLOCATION,
        Kind.AREA_EARMARK,
        Kind.RESERVE,
    )

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines", verbose_name=_("budsjett"))
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    label = models.CharField(_("tekst"), max_length=200)
    amount = models.DecimalField(_("beløp (NOK)"), validators=amount_validators(_("beløp (NOK)")), **NOK)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("delregion")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("skole")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kommune")
    )
    cooperation_area = models.ForeignKey(
        CooperationArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("samarbeidsområde"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("samarbeidspart")
    )
    note = models.CharField(_("merknad"), max_length=300, blank=True)
    version = models.PositiveIntegerField(
        _("versjon"),
        default=1,
        help_text=_("Øker for hver lagring; et skjema lastet fra en eldre versjon blir avvist."),
    )

    class Meta:
        verbose_name = _("budsjettlinje")
        verbose_name_plural = _("budsjettlinjer")
        ordering = ["budget", "kind", "label"]
        # Written on their budget's page, under the budget's change permission.
        rules_permissions = {"view": may_view_budget}
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="region_pool") | Q(region__isnull=False),
                name="budget_line_region_pool_has_region",
                violation_error_message=_("En regional pott må ha en delregion."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="school_allocation") | Q(school__isnull=False),
                name="budget_line_allocation_has_school",
                violation_error_message=_("En tildeling til skole må ha en skole."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="area_earmark") | Q(cooperation_area__isnull=False),
                name="budget_line_earmark_has_area",
                violation_error_message=_("En øremerking må ha et samarbeidsområde."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount:,.0f} kr".replace(",", " ")

    @property
    def is_income(self) -> bool:
        return self.kind in self.INCOME

    @property
    def is_expense(self) -> bool:
        return self.kind in self.EXPENSE


class BudgetAssumptions(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """The assumptions a year's draft budget is computed from, kept out of the code so the
    daily leader can change them in the admin: what a position costs, how the central
    position is split, each region coordinator's share, how what is left after central
    management is divided, the allocation key and the scenario's pupil count."""

    class AllocationKey(models.TextChoices):
        EQUAL = "equal", _("Lik andel")
        PUPILS = "pupils", _("Per elev")
        CONTRIBUTION = "contribution", _("Etter innbetalt tilskudd")
        MIXED = "mixed", _("Vektet blanding")

    PERCENT = [MinValueValidator(0), MaxValueValidator(100)]

    year = models.PositiveSmallIntegerField(_("år"), unique=True, validators=year_validators(_("år")))
    county_index_factor = models.DecimalField(
        _("indeksfaktor for fylkestilskuddet"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("1.0000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Brukes når årets fylkestilskudd ikke er satt: fjorårets tilskudd ganget med faktoren."),
    )
    position_cost = models.DecimalField(
        _("årskostnad for en 100 % stilling"),
        validators=amount_validators(_("årskostnad for en 100 % stilling")),
        default=Decimal("850000"),
        help_text=_("Lønn med sosiale kostnader (NOK)."),
        **NOK,
    )
    central_shares = models.CharField(
        _("deling av den sentrale stillingen"),
        max_length=50,
        default="70/30",
        help_text=_("Prosent per person, skilt med skråstrek, f.eks. 70/30 for én 100 % stilling delt på to."),
    )
    coordinator_percent = models.PositiveSmallIntegerField(
        _("stillingsprosent per regionkoordinator"),
        default=25,
        validators=PERCENT,
        help_text=_("Rapporten: 20–30 % for hver delregion."),
    )
    school_share = models.PositiveSmallIntegerField(
        _("andel til skolene (%)"),
        default=45,
        validators=PERCENT,
        help_text=_("Prosent av det som er igjen etter sentral ledelse."),
    )
    region_share = models.PositiveSmallIntegerField(_("andel til regionale potter (%)"), default=30, validators=PERCENT)
    earmark_share = models.PositiveSmallIntegerField(
        _("andel øremerket samarbeidsområder (%)"), default=15, validators=PERCENT
    )
    earmarked_areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="+", verbose_name=_("øremerkede samarbeidsområder")
    )
    allocation_key = models.CharField(
        _("fordelingsnøkkel"), max_length=20, choices=AllocationKey.choices, default=AllocationKey.MIXED
    )
    weight_equal = models.PositiveSmallIntegerField(_("vekt lik andel (%)"), default=40, validators=PERCENT)
    weight_pupils = models.PositiveSmallIntegerField(_("vekt per elev (%)"), default=40, validators=PERCENT)
    weight_contribution = models.PositiveSmallIntegerField(_("vekt etter tilskudd (%)"), default=20, validators=PERCENT)
    scenario_pupils = models.PositiveIntegerField(
        _("elever hvis all musikkopplæring i fylket blir med"),
        default=17_000,
        validators=count_validators(_("elever hvis all musikkopplæring i fylket blir med")),
        help_text=_("GSI 2018–2019: om lag 17 000 elever i Viken."),
    )

    class Meta:
        verbose_name = _("budsjettforutsetninger")
        verbose_name_plural = _("budsjettforutsetninger")
        ordering = ["-year"]
        rules_permissions = KEPT_BY_PREPARERS

    def __str__(self) -> str:
        return _("Budsjettforutsetninger %(year)s") % {"year": self.year}

    def clean(self) -> None:
        super().clean()
        errors = {}
        try:
            self.central_percents()
        except ValueError:
            errors["central_shares"] = _("Skriv prosentene som hele tall skilt med skråstrek, f.eks. 70/30.")
        shares = (self.school_share or 0) + (self.region_share or 0) + (self.earmark_share or 0)
        if shares > 100:
            errors["school_share"] = _("Andelene til skoler, regioner og øremerking kan til sammen ikke passere 100 %.")
        weights = (self.weight_equal or 0) + (self.weight_pupils or 0) + (self.weight_contribution or 0)
        if self.allocation_key == self.AllocationKey.MIXED and weights != 100:
            errors["weight_equal"] = _("Vektene i en blandet nøkkel må bli 100 %% til sammen (nå %(sum)s %%).") % {
                "sum": weights
            }
        if errors:
            raise ValidationError(errors)

    def central_percents(self) -> list[int]:
        """'70/30' -> [70, 30]. Raises ValueError for anything else."""
        parts = [int(part) for part in self.central_shares.split("/") if part.strip()]
        if not parts or any(part < 0 or part > 100 for part in parts):
            raise ValueError(self.central_shares)
        return parts

    @property
    def weights(self) -> dict[str, Decimal]:
        """The key as weights of equal share, pupils and contribution, summing to 1."""
        key = self.AllocationKey
        if self.allocation_key == key.MIXED:
            return {
                key.EQUAL: Decimal(self.weight_equal) / 100,
                key.PUPILS: Decimal(self.weight_pupils) / 100,
                key.CONTRIBUTION: Decimal(self.weight_contribution) / 100,
            }
        return {self.allocation_key: Decimal(1)}


class ActivityBooking(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """Which budget line an activity's costs are booked against: a region's pool, a school's
    allocation or a cooperation area's earmark. The target is named by kind and region,
    school or area, not by a line row, so a booking holds for every revision of the budget.
    An activity without a booking is booked by the default rule (see
    `funding.selectors.booking_target_default`)."""

    class Kind(models.TextChoices):
        REGION_POOL = "region_pool", _("Regional pott")
        SCHOOL_ALLOCATION = "school_allocation", _("Tildeling til skole")
        AREA_EARMARK = "area_earmark", _("Øremerket samarbeidsområde")

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="budget_booking", verbose_name=_("aktivitet")
    )
    kind = models.CharField(_("føres på"), max_length=30, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("delregion")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("skole")
    )
    cooperation_area = models.ForeignKey(
        CooperationArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("samarbeidsområde"),
    )
    booked_at = models.DateTimeField(_("ført"), auto_now=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ført av"),
    )

    class Meta:
        verbose_name = _("føring av aktivitet")
        verbose_name_plural = _("føringer av aktiviteter")
        ordering = ["activity"]
        rules_permissions = {**KEPT_BY_PREPARERS, "delete": may_prepare_budget}
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="region_pool", region__isnull=False, school__isnull=True, cooperation_area__isnull=True)
                    | Q(
                        kind="school_allocation",
                        school__isnull=False,
                        region__isnull=True,
                        cooperation_area__isnull=True,
                    )
                    | Q(kind="area_earmark", cooperation_area__isnull=False, region__isnull=True, school__isnull=True)
                ),
                name="booking_target_matches_kind",
                violation_error_message=_("Velg delregion for en pott, skole for en tildeling, område for øremerking."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.get_kind_display()} {self.target}"

    @property
    def target(self):
        return {"region_pool": self.region, "school_allocation": self.school}.get(self.kind, self.cooperation_area)


class SchoolMoneyRollup(models.Model):
    """The nightly summary of what each school got out in a calendar year: the value of the
    activities its pupils took part in (each activity's costs shared among its schools by
    their pupils, equally when it had none; cancelled and not yet started activities left
    out). The dashboards' money comparison reads this."""

    year = models.PositiveSmallIntegerField(_("år"), validators=year_validators(_("år")))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("skole"))
    activity_value = models.DecimalField(_("verdi av aktiviteter"), max_digits=18, decimal_places=6)
    run = models.ForeignKey("core.RollupRun", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("skolens utbytte (oppsummert)")
        verbose_name_plural = _("skolenes utbytte (oppsummert)")
        constraints = [models.UniqueConstraint(fields=["year", "school"], name="school_money_rollup_row")]

    def __str__(self) -> str:
        return f"{self.year} {self.school_id}"
