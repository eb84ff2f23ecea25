from oauth2_provider.oauth2_validators import OAuth2Validator

# The claims the provider gives each of its users, by username: {"sub": ..., "email": ...,
# "email_verified": ...}. A test sets its users' identities here (the live server runs in the
# test's process).
IDENTITIES: dict[str, dict] = {}


class FeideLikeValidator(OAuth2Validator):
    """Answers with the identity the test gave the user (its own `sub`, as Feide's), in the ID
    token and in userinfo, whatever scopes were asked for."""

    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return dict(IDENTITIES.get(request.user.get_username(), {}))
