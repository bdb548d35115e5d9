"""The clinic contact block printed on the reports (the window edits it; tests pass their own).

Plain data with empty defaults: an empty field prints as a blank line to fill in by hand, never as
an invented value.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

_Text = Annotated[str, Field(max_length=300)]


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    clinic_name: _Text = ""
    clinic_address: _Text = ""  # may contain line breaks
    clinic_phone: _Text = ""
    urgent_phone: _Text = ""  # day and night number for urgent symptoms

    @property
    def has_contact(self) -> bool:
        return any((self.clinic_name.strip(), self.clinic_phone.strip(), self.urgent_phone.strip()))


ClinicSettings = ReportSettings  # alias under the name the brief uses
