from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "evimap.site.pages"
    label = "evimap_pages"
    verbose_name = "evimap pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Wire the page views to the page models, and a condition page's publication to its
        first question page's (imported here: models can be imported only once apps load)."""
        from wagtail.signals import page_published

        from evimap.site.pages import drafting, views
        from evimap.site.pages.models import VIEWS, QuestionPage

        VIEWS.update(home=views.serve_home, question=views.serve_question)
        page_published.connect(
            drafting.publish_condition,
            sender=QuestionPage,
            dispatch_uid="evimap-publish-condition-with-question",
        )
