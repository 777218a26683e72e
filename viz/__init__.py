"""Pictures of the graph for reviewers and panels: offline, self-contained HTML views.

* ``review_view``: a review's people, agencies, contacts, relationships and flows;
* ``person_view``: a person's neighbourhood across reviews;
* ``query_view``: a catalogue query's findings drawn over their context, highlighted;
* ``flows_view``: agencies, the information that passed between them, and where none did;
* ``timeline_view``: one person's chronology as swimlanes, one per agency;
* ``write_report_views``: the query views beside a findings report, linked from it (``ReportViews``: planned
  first, so that a report's page is written and its rows let go before the views are drawn).

Each returns a :class:`View`; ``View.write(path)`` writes one UTF-8 file that needs nothing else
(no network, no other file). ``redact=True`` names people only by role ("Victim 1") and drops
summaries and professionals' names.
"""

from dhrgraph.viz.page import View
from dhrgraph.viz.timeline import timeline_view
from dhrgraph.viz.views import ReportViews, flows_view, person_view, query_view, review_view, write_report_views

__all__ = ["View", "review_view", "person_view", "query_view", "flows_view", "timeline_view", "write_report_views",
           "ReportViews"]
