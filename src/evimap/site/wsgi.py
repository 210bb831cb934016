"""WSGI entry points.

`application` (`gunicorn evimap.site.wsgi:application`, what `evimap serve` runs): the site
behind admission control, so that past capacity readers get a quick 503 "try again" instead
of waiting without end (`evimap.site.admission`: EVIMAP_MAX_ACTIVE, EVIMAP_MAX_QUEUED,
EVIMAP_QUEUE_WAIT). `django_application`: the site alone, for Django's development server
(WSGI_APPLICATION, `evimap demo`), which serves one developer.

Each process answers one question as it starts, in a thread of its own, so that the answer
engine (the library, the vocabulary: 1-2 s, or tens of seconds when the vocabulary must be
rebuilt) is loading while the first readers are served pages, rather than started by the
first reader who asks while the others queue behind (`answers.warm_up`). Not before the
process serves: gunicorn replaces a worker that takes longer than its timeout to start.
"""

from __future__ import annotations

import os
import threading

from django.core.wsgi import get_wsgi_application

from evimap.site.admission import Admission, Limits

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evimap.site.settings")
django_application = get_wsgi_application()
application = Admission(django_application, Limits.from_env(os.environ))

from evimap.site import answers  # noqa: E402  (after Django is set up)

threading.Thread(target=answers.warm_up, name="evimap-warm-up", daemon=True).start()
