from oauth2_provider.apps import DOTConfig


class LocalProviderConfig(DOTConfig):
    """django-oauth-toolkit, kept out of the portal's admin: the admin's tests walk every
    registered model, and the provider is no part of the portal."""

    def ready(self) -> None:
        super().ready()
        from django.contrib import admin

        for model in self.get_models():
            if admin.site.is_registered(model):
                admin.site.unregister(model)
