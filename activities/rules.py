"""Who may do what with activities (django-rules; the permissions are declared in the models'
Meta). Everyone with a role reads every activity, its participation and costs; central staff
create and edit all; a coordinator creates and edits the activities of their own region(s);
rectors and the steering group read only. Nobody deletes an activity: it is cancelled."""

import rules

from governance.rules import has_any_role, is_central_staff


def _region_ids_editable_by(user) -> set[int] | None:
    # Imported here: activities.models imports this module for its Meta.
    from .selectors import region_ids_editable_by

    return region_ids_editable_by(user=user)


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(_region_ids_editable_by(user))


@rules.predicate
def coordinates_activity_region(user, activity) -> bool:
    if activity is None:
        return False
    return activity.region_id in (_region_ids_editable_by(user) or set())


@rules.predicate
def no_activity_given(user, activity) -> bool:
    return activity is None


can_view_activities = has_any_role
can_create_activity = is_central_staff | is_coordinator
# Without an activity: whether the person edits any (the admin's list).
can_edit_activity = is_central_staff | coordinates_activity_region | (no_activity_given & is_coordinator)
