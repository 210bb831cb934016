from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "evimap.site.review"
    label = "evimap_review"
    verbose_name = "evimap editorial review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import workflow_approved

        from evimap.site.review import actions

        workflow_approved.connect(
            actions.on_workflow_approved, dispatch_uid="evimap-review-due-on-approval"
        )
