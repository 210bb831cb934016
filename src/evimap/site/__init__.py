"""The evimap web site: Django 5.2 + Wagtail pages, editorial workflow and a JSON API.

    evimap.site.env        typed settings from the environment (refuse to start on a bad one)
    evimap.site.settings   the Django settings module built from `env`
    evimap.site.pages      HomePage, ConditionPage, QuestionPage, PolicyPage; public views
    evimap.site.review     ReviewerProfile, the two workflow tasks and every review action
    evimap.site.answers    the process's one AnswerEngine, and asking it
    evimap.site.answer_view the page's view of an `Answer` (from its stored JSON)
    evimap.site.api        the JSON API (django-ninja) with one error shape
    evimap.site.setup      migrate, seed accounts and pages (used by `evimap demo`)

The site uses evimap's public engine API only (`AnswerEngine.ask`, `render.to_dict`).
"""
