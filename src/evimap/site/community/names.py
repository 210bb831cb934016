"""Members' display names: one normal form, nothing invisible, no look-alike of another's.

    clean(name) -> str        NFKC, runs of spaces made one; InvalidPost for invisible,
                              control or bidi characters, or a length outside MIN..MAX_CHARS
    skeleton(name) -> str     what a name looks like: accents dropped, Cyrillic and Greek
                              look-alikes folded to Latin, case folded, a leading title, spaces
                              and punctuation left out ("Dr. Аna  Ruíz" -> "anaruiz")

Whether a name is taken (a reviewer's, the team's, another member's) is checked against the
database by `members.refuse_taken`, with `skeleton` and RESERVED from here. The rules are the
data below; the tests hold the names they must refuse.
"""

from __future__ import annotations

import re
import unicodedata

from evimap.site.errors import InvalidPost

MIN_CHARS, MAX_CHARS = 2, 40
# Unicode categories a display name may not hold: controls (Cc), format characters (Cf: the
# zero-width ones, bidi overrides and isolates, the soft hyphen), private use (Co),
# surrogates (Cs), unassigned (Cn), line and paragraph separators (Zl, Zp).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Letters that show as nothing although Unicode calls them letters or symbols.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Look-alikes folded to the Latin letter they show as, before case folding (capital Greek
# Eta looks like H, small eta like n), then digits and letters that pass for another.
_LOOK_ALIKE_LETTERS = (  # (letters, the Latin letters they show as)
    ("АВЕЅІЈКМНОРСТХУҮӀԚԜ", "ABESIJKMHOPCTXYYIQW"),  # Cyrillic capitals
    ("авеѕіјкмнорстхуүӏԁԛԝһ", "abesijkmhopctxyyldqwh"),  # Cyrillic small letters
    ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),  # Greek capitals
    ("αγεικνορτυχω", "ayeikvoptuxw"),  # Greek small letters
)
CONFUSABLES = str.maketrans(
    "".join(a for a, _ in _LOOK_ALIKE_LETTERS), "".join(b for _, b in _LOOK_ALIKE_LETTERS)
)
LOOK_ALIKE = str.maketrans({"0": "o", "1": "l", "i": "l", "ı": "l", "|": "l"})
LOOK_ALIKE_PAIRS = (("rn", "m"), ("vv", "w"))
# Leading words left out when comparing ("Dr Ana Ruiz" and "Ana Ruiz" are one name).
TITLES = frozenset("dr doctor prof professor mr mrs ms mx miss nurse sir dame".split())
# Names of roles and of the site itself that no member may take.
RESERVED = (
    "admin",
    "administrator",
    "moderator",
    "moderators",
    "editor",
    "reviewer",
    "medical reviewer",
    "evimap",
    "staff",
    "support",
)


def clean(name: str | None) -> str:
    """The name in NFKC form with single spaces; InvalidPost saying what is wrong."""
    name = unicodedata.normalize("NFKC", name or "")
    if any(unicodedata.category(c) in REFUSED_CATEGORIES or c in INVISIBLE for c in name):
        raise InvalidPost(
            "Please choose a display name without invisible, control or direction characters."
        )
    name = " ".join(name.split())
    if not MIN_CHARS <= len(name) <= MAX_CHARS or not any(c.isalnum() for c in name):
        raise InvalidPost(
            f"A display name needs {MIN_CHARS} to {MAX_CHARS} characters, with letters in it."
        )
    return name


def skeleton(name: str) -> str:
    """What `name` looks like, for comparing: equal skeletons are confusable names."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(CONFUSABLES).casefold().translate(LOOK_ALIKE)
    parts = re.findall(r"[^\W_]+", text)
    while len(parts) > 1 and parts[0] in TITLES:
        parts.pop(0)
    text = "".join(parts)
    for pair, single in LOOK_ALIKE_PAIRS:
        text = text.replace(pair, single)
    return text
