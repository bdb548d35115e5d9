"""The clinic contact block printed on the reports (the window edits it; tests pass their own).

Plain data with empty defaults: an empty field prints as a blank line to fill in by hand, never as
an invented value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

_Text = Annotated[str, Field(max_length=300)]


class ReportSettings(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    clinic_name: _Text = ""
    clinic_address: _Text = ""  # may contain line breaks
    clinic_phone: _Text = ""
    urgent_phone: _Text = ""  # day and night number for urgent symptoms

    @property
    def has_contact(self) -> bool:
        return any((self.clinic_name.strip(), self.clinic_phone.strip(), self.urgent_phone.strip()))


ClinicSettings = ReportSettings  # alias under the name the brief uses

# the reports a patient takes home: they tell the patient to call for the warning signs
PATIENT_KINDS = ("patient", "visit")


def no_number_warning(settings: ReportSettings | None, kinds: Iterable[str]) -> str | None:
    """The warning to give whoever prints a patient's sheet without a number to call.

    The sheet then prints a blank line to fill in by hand (never an invented number), which a busy
    clinic can miss: the patient goes home told to call, with nothing to call. None when no
    patient sheet is printed or a number is set (the urgent one, or the clinic's, which the sheet
    falls back to)."""
    if not any(k in PATIENT_KINDS for k in kinds):
        return None
    from ixdesk.present.report_base import Clinic  # report_base imports this module

    if settings is not None and Clinic.from_settings(settings).call_number:
        return None
    return ("the clinic's phone numbers are not set: the patient's sheet prints blank lines for the "
            "number to call day and night; write it in by hand, or set it in Reports > Clinic contact details")
