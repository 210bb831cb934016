"""Public pages: home (ask box, site search), conditions, questions, editorial policy."""
