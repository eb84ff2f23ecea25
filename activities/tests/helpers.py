"""Helpers for the activities tests."""

from contextlib import contextmanager

from core.forms import form_token_new


def form_data(*, region, areas, participations=(), costs=(), version=1, **overrides):
    """A POST body for the activity form (prefixes `deltakelse` and `kostnad`), with a fresh
    one-time token (read by the create and copy forms) and the activity's `version` (read by
    the edit form; 1 for an activity that has not been changed since it was made)."""
    data = {
        "form_token": form_token_new(),
        "version": str(version),
        "title": "Mesterklasse cello",
        "kind": "masterclass",
        "level": "central",
        "cooperation_areas": [area.pk for area in areas],
        "region": region.pk,
        "venue": "",
        "host_school": "",
        "starts_at": "2019-11-09T10:00",
        "ends_at": "2019-11-09T15:00",
        "instrument": "Cello",
        "nmh_teachers": "",
        "status": "planned",
        "notes": "",
        "deltakelse-TOTAL_FORMS": str(len(participations)),
        "deltakelse-INITIAL_FORMS": "0",
        "deltakelse-MIN_NUM_FORMS": "0",
        "deltakelse-MAX_NUM_FORMS": "1000",
        "kostnad-TOTAL_FORMS": str(len(costs)),
        "kostnad-INITIAL_FORMS": "0",
        "kostnad-MIN_NUM_FORMS": "0",
        "kostnad-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(participations):
        data[f"deltakelse-{index}-school"] = row["school"].pk
        data[f"deltakelse-{index}-pupils"] = row.get("pupils", 0)
        data[f"deltakelse-{index}-teachers"] = row.get("teachers", 0)
        if row.get("named"):
            data[f"deltakelse-{index}-named_pupils"] = [p.pk for p in row["named"]]
    for index, row in enumerate(costs):
        data[f"kostnad-{index}-category"] = row["category"]
        data[f"kostnad-{index}-description"] = row.get("description", "")
        data[f"kostnad-{index}-amount"] = row["amount"]
    data.update(overrides)
    return data


@contextmanager
def celery_eager():
    """Celery runs tasks in-process, as on the embedded default (no REDIS_URL), also in a run
    against Redis: the tests of what a save enqueues then see the rollup it ran."""
    from ungmusikk.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before
