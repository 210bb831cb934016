from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "evimap.site.pages"
    label = "evimap_pages"
    verbose_name = "evimap pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from evimap.site.pages import drafting
        from evimap.site.pages.models import QuestionPage

        page_published.connect(
            drafting.publish_condition,
            sender=QuestionPage,
            dispatch_uid="evimap-publish-condition-with-question",
        )
