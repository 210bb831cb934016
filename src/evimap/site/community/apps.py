from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "evimap.site.community"
    label = "evimap_community"
    verbose_name = "Community experiences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from evimap.site.community.signin import record_failure

        user_login_failed.connect(record_failure, dispatch_uid="evimap-community-signin")
