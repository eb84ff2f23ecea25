"""Who must confirm a login with a second factor before the admin opens."""

from __future__ import annotations

from governance.rules import is_central_staff, manages_access

# Superusers, the daily leader and NMH's coordinator, who keep the whole network (people,
# schools, money), and the access manager («Tilgangsforvalter»), who grants everyone's roles.
# The steering group reads and votes in the admin without a second factor, unless a member has
# set up an app of their own accord (selectors.two_factor_required_for_admin).
must_use_two_factors = is_central_staff | manages_access
