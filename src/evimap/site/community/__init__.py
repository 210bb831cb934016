"""Community experiences: members share first-person experiences on question pages.
Screening (personal data, links, spam, crisis language) is in the core: evimap.screening.

survey.py      the structured questions that fit a page's question type
models.py      members, experiences, moderation decisions, reports, rate events
moderation.py  every mutation (post, edit, delete, approve, reject, redact, report, export)
themes.py      counts of structured answers and recurring terms; links to the evidence
chart.py       the themes as a server-side SVG bar chart (no JavaScript)
views.py       the member, reader and moderator pages; api.py the JSON API
"""
