"""The pieces every report shares live in ixdesk.present.report_base (the report data is built in the
presentation layer); the names older imports use are re-exported here."""

from ixdesk.present.formats import fmt_num
from ixdesk.present.report_base import NOT_RECORDED, UNVERIFIED_MARK, Data, Meta, fmt_date, plan_text

__all__ = ["NOT_RECORDED", "UNVERIFIED_MARK", "Data", "Meta", "fmt_date", "fmt_num", "plan_text"]
