"""The analyst's triage statuses of a finding: defined here, in a module that imports nothing, so the command
line can offer them as choices without importing the catalogue (``queries.triage`` is what uses them)."""

__all__ = ["NEW", "DISMISSED", "STATUSES"]

NEW = "new"  # a finding with no decision
DISMISSED = "dismissed"  # a finding the analyst judged not a missed chance: it counts nowhere (e.g. in the themes)
STATUSES = ("confirmed", DISMISSED, "needs-info")  # what a decision may say
