"""Editorial workflow: reviewer profiles, the two review tasks, actions and public status."""
