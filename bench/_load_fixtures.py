"""What a load run needs in the site's database, made once after `evimap demo --no-serve`.

Run by `bench/load.py setup` in a process configured like the server (EVIMAP_LIBRARY,
DATABASE_URL, EVIMAP_SECRET_KEY_FILE): it writes the plan (JSON) the load client reads.

    members     verified members who have consented, each with a signed-in session (made
                here, not by signing in: a password check costs about 0.3 s of CPU)
    tokens      review API tokens of the editor and the medical reviewer
    reviews     question pages drafted by the admin and waiting for the editorial check:
                each gets the editor's approval, then the reviewer's, during a run
    pages       the live question pages (ids and paths) readers view and ask about

Every member posts at most 5 times an hour (the site's limit), so a run needs enough of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CONDITIONS = (
    "asthma", "gout", "psoriasis", "eczema", "glaucoma", "shingles", "anemia", "epilepsy",
    "lupus", "sciatica", "tinnitus", "vertigo", "rosacea", "scabies", "measles", "mumps",
    "cataracts", "hepatitis B", "kidney stones", "gallstones", "celiac disease",
    "Crohn's disease", "ulcerative colitis", "rheumatoid arthritis", "osteoarthritis",
    "fibromyalgia", "hypothyroidism", "hyperthyroidism", "insomnia", "sleep apnea",
    "heart failure", "atrial fibrillation", "high blood pressure", "stroke", "pneumonia",
    "tuberculosis", "malaria", "Lyme disease", "bronchitis", "sinusitis",
)  # fmt: skip
QUESTIONS = tuple(
    f"{form.format(c)}" for c in CONDITIONS for form in ("What causes {}?", "How is {} treated?")
)


def main(plan_path: Path, members: int, reviews: int) -> None:
    from evimap.settings import Settings
    from evimap.site import commands

    commands.configure(Settings.from_env(), serving=True)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from wagtail.models import APIToken

    from evimap.site.community.models import TERMS_VERSION, MemberProfile
    from evimap.site.pages.drafting import draft_question
    from evimap.site.pages.models import QuestionPage

    password = make_password("load-member-pass")  # one hash for all: hashing costs ~0.3 s
    sessions = []
    for n in range(members):
        username = f"load{n:04d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username, email=f"{username}@example.org", password=password
            )
            MemberProfile.objects.create(
                user=user,
                display_name=f"Load tester {n:04d}",
                consented_terms=TERMS_VERSION,
                consented_at=timezone.now(),
                email_verified_at=timezone.now(),
            )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(30 * 86400)
        session.create()
        sessions.append({"user_id": user.pk, "session": session.session_key})

    tokens = {}
    for username in ("editor", "reviewer"):
        user = User.objects.get(username=username)
        _, plaintext = APIToken.create_token(user=user, name="load run")
        tokens[username] = {"user_id": user.pk, "token": plaintext}

    admin = User.objects.get(username="admin")
    for question in QUESTIONS[:reviews]:
        if not QuestionPage.objects.filter(question=question).exists():
            draft_question(question, admin)
            print(f"drafted {question!r}", file=sys.stderr, flush=True)
    waiting = []
    for page in QuestionPage.objects.filter(question__in=QUESTIONS[:reviews]):
        task = page.current_workflow_task_state
        if task is not None and task.task.specific.__class__.__name__ == "EditorialCheckTask":
            waiting.append({"page_id": page.pk, "revision_id": page.latest_revision_id})

    live = [
        {"id": p.pk, "path": p.url_path.removeprefix("/home"), "question": p.question}
        for p in QuestionPage.objects.live().order_by("pk")
        if p.question not in QUESTIONS
    ]
    plan = {"members": sessions, "tokens": tokens, "reviews": waiting, "pages": live}
    plan_path.write_text(json.dumps(plan, indent=1))
    print(
        f"plan: {len(sessions)} members, {len(waiting)} pages awaiting review, "
        f"{len(live)} live question pages -> {plan_path}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
