"""The ten cooperation areas (samarbeidsområder) of the agreement, in the report's order."""

from django.db import migrations

AREAS = [
    (1, "Et helhetlig utdanningsløp", "A coherent education pathway", 2013, ""),
    (
        2,
        "Talentutvikling/forutdanning for høyere musikkutdanning",
        "Talent development / pre-college for higher music education",
        2013,
        "",
    ),
    (3, "Musikkformidling", "Music outreach and performance", 2013, ""),
    (4, "Unge dirigenter", "Young conductors", 2019, "Akershus fylkeskommune"),
    (5, "Praksisplasser", "Practice placements", 2013, ""),
    (
        6,
        "Faglig og pedagogisk etter- og videreutdanning for lærere og ledere",
        "Continuing education for teachers and leaders",
        2013,
        "",
    ),
    (7, "Forskning og utviklingsarbeid", "Research and development", 2013, ""),
    (
        8,
        "Studietilbudenes relevans for kulturskoler og videregående skoles musikklinjer",
        "Relevance of study programmes for culture schools and upper-secondary music lines",
        2013,
        "",
    ),
    (9, "Kulturnæringer", "Cultural industries", 2019, "Akershus fylkeskommune"),
    (10, "Internasjonalisering", "Internationalisation", 2019, "Akershus fylkeskommune"),
]


def load_areas(apps, schema_editor):
    CooperationArea = apps.get_model("governance", "CooperationArea")
    for number, name_nb, name_en, since_year, initiated_by in AREAS:
        CooperationArea.objects.update_or_create(
            number=number,
            defaults={"name_nb": name_nb, "name_en": name_en, "since_year": since_year, "initiated_by": initiated_by},
        )


def unload_areas(apps, schema_editor):
    CooperationArea = apps.get_model("governance", "CooperationArea")
    CooperationArea.objects.filter(number__in=[area[0] for area in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(load_areas, unload_areas)]
