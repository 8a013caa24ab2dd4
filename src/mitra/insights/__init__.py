"""N-of-1 insights: associations in one person's journal, each with an estimate, a 95% interval,
its sample size, method and caveat, or a plain "not enough data yet".

Pure Python over `mitra.timeline.Timeline`; no Django, no database. Insights never claim cause.
"""

from mitra.insights.card import DISCLAIMER, Insight, Report, Status
from mitra.insights.report import analyse

__all__ = ["DISCLAIMER", "Insight", "Report", "Status", "analyse"]
