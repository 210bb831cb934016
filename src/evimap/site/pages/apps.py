from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "evimap.site.pages"
    label = "evimap_pages"
    verbose_name = "evimap pages"
    default_auto_field = "django.db.models.BigAutoField"
