"""Names shared by the site tests and their fixtures (a unique module name: tests/ has no
packages, so `conftest` would be ambiguous)."""

FLARES = "What causes Glimmerfield syndrome flares?"
DISEASE = "What causes Glimmerfield syndrome?"
PASSWORD = "pw"
