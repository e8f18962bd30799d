"""Evaluation (issue 5): expert pool, conflicts, panels, blind rubric scoring, results."""
