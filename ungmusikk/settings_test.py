"""The tests' settings (pytest.ini): the portal's settings, plus a local OpenID Connect provider
(django-oauth-toolkit, under /o/) that the Feide login's tests log in against
(governance/tests/test_feide.py). Nothing here is used outside the tests."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

# A signing key made for this test run only.
_PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

INSTALLED_APPS = [*INSTALLED_APPS, "governance.tests.oidc_provider.apps.LocalProviderConfig"]
ROOT_URLCONF = "ungmusikk.urls_test"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _PROVIDER_KEY.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode(),
    "OAUTH2_VALIDATOR_CLASS": "governance.tests.oidc_provider.validators.FeideLikeValidator",
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID Connect", "email": "E-post", "profile": "Profil"},
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
}
