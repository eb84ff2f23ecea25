"""The network's geography and schools: counties, sub-regions, municipalities (with their
population and mergers over time), schools, memberships, enrolment and pupils.

Pupils are minors: the portal keeps only what it needs (name, birth year, main instrument,
schools attended) and never a national identity number or an address.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.bounds import birth_year_validators, count_validators, population_validators, year_validators
from core.periods import Period, period_constraint, school_year_label


class County(Period):
    """A county (fylke/fylkeskommune): Akershus until 2019, Viken 2020–2023, Akershus,
    Buskerud and Østfold again from 2024. A county that comes back is a new row."""

    name = models.CharField(_("navn"), max_length=100)
    number = models.CharField(_("fylkesnummer"), max_length=2)

    class Meta:
        verbose_name = _("fylke")
        verbose_name_plural = _("fylker")
        ordering = ["valid_from", "name"]
        constraints = [
            models.UniqueConstraint(fields=["number", "valid_from"], name="county_number_period_unique"),
            period_constraint("county_period_ordered"),
        ]

    def __str__(self) -> str:
        end = self.valid_to.year if self.valid_to else ""
        return f"{self.name} ({self.valid_from.year}–{end})"


class Region(Period):
    """A sub-region (delregion) of the network, each with a coordinator and a reference group."""

    name = models.CharField(_("navn"), max_length=100, unique=True)
    slug = models.SlugField(_("kortnavn"), unique=True)

    class Meta:
        verbose_name = _("delregion")
        verbose_name_plural = _("delregioner")
        ordering = ["valid_from", "name"]
        constraints = [period_constraint("region_period_ordered")]

    def __str__(self) -> str:
        return self.name


class Municipality(Period):
    """A municipality (kommune) as it existed in a period. A merger or a renumbering ends the
    old rows and starts a new one (see MunicipalityMerger), so history before it adds up."""

    number = models.CharField(_("kommunenummer"), max_length=4, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    latitude = models.DecimalField(
        _("breddegrad"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Kommunesenteret, WGS84."),
    )
    longitude = models.DecimalField(
        _("lengdegrad"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Kommunesenteret, WGS84."),
    )

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name", "valid_from"]
        constraints = [period_constraint("municipality_period_ordered")]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class MunicipalityPopulation(models.Model):
    """Inhabitants on 1 January of a year (SSB). The contribution tier follows this figure."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="populations", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(_("år"), validators=year_validators(_("år")))
    population = models.PositiveIntegerField(
        _("innbyggere"), validators=population_validators(_("innbyggere")), help_text=_("Per 1. januar (SSB).")
    )

    class Meta:
        verbose_name = _("folketall")
        verbose_name_plural = _("folketall")
        ordering = ["municipality", "year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="population_one_per_year"),
            models.CheckConstraint(condition=Q(population__gte=0), name="population_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.name} {self.year}: {self.population}"


class CountyMembership(Period):
    """Which county a municipality belonged to in a period."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="county_memberships", verbose_name=_("kommune")
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipality_memberships", verbose_name=_("fylke")
    )

    class Meta:
        verbose_name = _("fylkestilhørighet")
        verbose_name_plural = _("fylkestilhørigheter")
        ordering = ["municipality", "valid_from"]
        constraints = [period_constraint("county_membership_period_ordered")]

    def __str__(self) -> str:
        return f"{self.municipality.name} → {self.county.name}"


class MunicipalityMerger(models.Model):
    """Municipalities that became one on a date (a renumbering is a merger of one)."""

    date = models.DateField(_("dato"))
    successor = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="formed_by", verbose_name=_("ny kommune")
    )
    predecessors = models.ManyToManyField(
        Municipality, related_name="merged_into", verbose_name=_("tidligere kommuner")
    )

    class Meta:
        verbose_name = _("kommunesammenslåing")
        verbose_name_plural = _("kommunesammenslåinger")
        ordering = ["date", "successor__name"]
        constraints = [models.UniqueConstraint(fields=["successor", "date"], name="merger_one_per_successor_date")]

    def __str__(self) -> str:
        return f"{self.successor.name} ({self.date:%d.%m.%Y})"


class School(models.Model):
    class Kind(models.TextChoices):
        KULTURSKOLE = "kulturskole", _("Kulturskole")
        VGS = "vgs", _("Videregående skole")
        FOLKEHOGSKOLE = "folkehogskole", _("Folkehøgskole")

    name = models.CharField(_("navn"), max_length=150, unique=True)
    slug = models.SlugField(_("kortnavn"), max_length=150, unique=True)
    kind = models.CharField(_("skoleslag"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name=_("kommune")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="schools", verbose_name=_("delregion"))
    contact_name = models.CharField(_("kontaktperson"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-post"), blank=True)
    contact_phone = models.CharField(_("telefon"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("skole")
        verbose_name_plural = _("skoler")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(Period):
    """A school's status in the network for a period. Periods of one school never overlap."""

    class Status(models.TextChoices):
        MEMBER = "member", _("Fast tilknyttet")
        PILOT = "pilot", _("Pilot")
        INTERESTED = "interested", _("Interessert")

    # Members and pilots take part on the same terms; interested schools are only invited.
    PARTICIPATING = (Status.MEMBER, Status.PILOT)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("skole"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    note = models.CharField(_("merknad"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["school", "valid_from"]
        constraints = [period_constraint("membership_period_ordered")]

    def __str__(self) -> str:
        return f"{self.school.name}: {self.get_status_display()} fra {self.valid_from:%d.%m.%Y}"

    def clean(self) -> None:
        super().clean()
        if not self.school_id or not self.valid_from:
            return
        others = Membership.objects.filter(school_id=self.school_id).exclude(pk=self.pk)
        for other in others:
            if self.overlaps(other):
                raise ValidationError(
                    {
                        "valid_from": _("Perioden overlapper et annet medlemskap for samme skole (%(other)s).")
                        % {"other": other}
                    }
                )


class Enrolment(models.Model):
    """Pupils in music at a school in a school year, as reported to GSI (counted 1 October)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("skole"))
    school_year = models.PositiveSmallIntegerField(
        _("skoleår"),
        validators=year_validators(_("skoleår")),
        help_text=_("Året skoleåret starter, f.eks. 2019 for 2019/20."),
    )
    pupils = models.PositiveIntegerField(_("elever"), validators=count_validators(_("elever")))

    class Meta:
        verbose_name = _("elevtall")
        verbose_name_plural = _("elevtall")
        ordering = ["school", "school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="enrolment_one_per_school_year"),
            models.CheckConstraint(condition=Q(pupils__gte=0), name="enrolment_pupils_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.school_year_label}: {self.pupils}"

    @property
    def school_year_label(self) -> str:
        return school_year_label(self.school_year)


class Pupil(models.Model):
    """A pupil named on activities. Only what the portal needs about a minor: no national
    identity number, no address, no contact details."""

    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("etternavn"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"), validators=birth_year_validators(_("fødselsår")))
    main_instrument = models.CharField(_("hovedinstrument"), max_length=100)
    schools = models.ManyToManyField(School, related_name="pupils", verbose_name=_("skoler"))

    class Meta:
        verbose_name = _("elev")
        verbose_name_plural = _("elever")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.birth_year})"
