from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "evimap.site.community"
    label = "evimap_community"
    verbose_name = "Community experiences"
    default_auto_field = "django.db.models.BigAutoField"
