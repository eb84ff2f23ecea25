"""Who may do what with activities (django-rules). Everyone with a role reads every
activity; central staff create and edit all; a coordinator creates and edits the activities
of their own region(s); rectors and the steering group read only."""

import rules

from governance.rules import has_any_role, is_central_staff

from . import selectors


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(selectors.region_ids_editable_by(user=user))


@rules.predicate
def coordinates_activity_region(user, activity) -> bool:
    if activity is None:
        return False
    return activity.region_id in (selectors.region_ids_editable_by(user=user) or set())


can_view_activities = has_any_role
can_create_activity = is_central_staff | is_coordinator
can_edit_activity = is_central_staff | coordinates_activity_region

# Not Django's model permission names (view_/add_/change_activity), so that a permission
# given in the admin never opens the portal's pages by accident.
rules.add_perm("activities.see_activities", can_view_activities)
rules.add_perm("activities.create_activity", can_create_activity)
rules.add_perm("activities.edit_activity", can_edit_activity)
