"""A local OpenID Connect provider for the Feide login's tests (governance/tests/test_feide.py):
django-oauth-toolkit's OIDC mode, installed by ungmusikk/settings_test.py only. It stands in for
Feide: it signs ID tokens with an RSA key, publishes its JWKS, and answers userinfo with the
claims a test gives each of its users (`IDENTITIES`)."""
