"""The clinic contact block: kept in ixdesk.present.settings (the report data reads it); re-exported here."""

from ixdesk.present.settings import ClinicSettings, ReportSettings

__all__ = ["ClinicSettings", "ReportSettings"]
