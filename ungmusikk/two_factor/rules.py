"""Who must confirm a login with a second factor before the admin opens."""

from __future__ import annotations

from governance.rules import is_central_staff

# Superusers, the daily leader and NMH's coordinator: they hold the keys to the whole network
# (people, roles, schools, money). The steering group reads and votes in the admin without one,
# unless a member has enrolled of their own accord (selectors.two_factor_required_for_admin).
must_use_two_factors = is_central_staff
