from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "evimap.site.review"
    label = "evimap_review"
    verbose_name = "evimap editorial review"
    default_auto_field = "django.db.models.BigAutoField"
