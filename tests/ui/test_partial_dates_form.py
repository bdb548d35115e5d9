"""The regimen dates accept a month ("2025-06") typed key by key, show it as typed, save it as such;
the calendar still picks a full date; the labs date stays a full date (issue 10, section 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate

from ixdesk.core.dates import PartialDate
from tests.ui.conftest import EXAMPLES
from tests.ui.helpers import type_into

EX1 = "01-combination-after-anthracycline-and-taxane.json"  # regimen 4: Doxil, metastatic, progression 2025-09-01


def anthracycline(window: Any) -> Any:
    a = window.current_assessment()
    return a.resistance_for("anthracycline") if a is not None else None


def test_month_only_last_dose_typed_by_key_presses_reaches_the_engine(qtbot: Any, window: Any, tmp_path: Path) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    reg = window.form.regimens
    reg.select_row(3)
    reg.last_dose_date.setFocus()
    type_into(qtbot, reg.last_dose_date, "2025-06")  # June + 3 months ends 1-30 Sep: progression 1 Sep inside
    qtbot.waitUntil(lambda: window.current_consult() is not None
                    and window.current_consult().regimens[3].last_dose_date == PartialDate(2025, 6))
    assert not reg.boxes["last_dose_date"].error.isVisible()
    assert reg.last_dose_date.text() == "2025-06" and reg.table.item(3, 3).text() == "2025-06"
    cr = anthracycline(window)
    rr = next(r for r in cr.regimens if r.regimen_index == 3)
    assert rr.result == "resistant" and rr.month_only_dates == ["regimens[3].last_dose_date"]
    assert "regimen 4: last dose date: day not recorded (2025-06): resistant whichever day" in cr.summary

    # May + 3 months ends 1-31 Aug: progression on 1 Sep is after it whichever day
    type_into(qtbot, reg.last_dose_date, "2025-05")
    qtbot.waitUntil(lambda: anthracycline(window) is not None and anthracycline(window).result == "not_resistant")

    target = tmp_path / "saved.json"
    assert window._save_to(str(target))
    assert json.loads(target.read_text())["regimens"][3]["last_dose_date"] == "2025-05"
    reg.select_row(0)
    assert window.open_path(str(target), ask=False)
    window.form.regimens.select_row(3)
    assert window.form.regimens.last_dose_date.text() == "2025-05"  # shown as saved, never a made-up day


def test_month_only_progression_that_decides_nothing_is_unknown_naming_it(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    reg = window.form.regimens
    reg.select_row(3)
    type_into(qtbot, reg.progression_date, "2025-09")  # window ends 2025-09-23: 1-23 Sep inside, 24-30 not
    qtbot.waitUntil(lambda: anthracycline(window) is not None and anthracycline(window).result == "unknown")
    assert [m.field for m in anthracycline(window).missing] == ["regimens[3].progression_date"]
    assert reg.table.item(3, 4).text() == "2025-09"


def test_a_bad_month_says_which_forms_are_accepted(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    reg = window.form.regimens
    reg.select_row(3)
    type_into(qtbot, reg.start_date, "2025-13")
    qtbot.waitUntil(lambda: reg.boxes["start_date"].error.isVisible())
    assert "use YYYY-MM-DD, or YYYY-MM when the day is not recorded" in reg.boxes["start_date"].error.text()
    assert reg.start_date.text() == "2025-13"  # what the user typed is kept
    assert "YYYY-MM" in reg.start_date.placeholderText()
    empty = reg.progression_date
    type_into(qtbot, empty, "")
    # the placeholder is not cut off beside the calendar button
    assert empty.width() >= empty.fontMetrics().horizontalAdvance(empty.placeholderText()) + 30


def test_a_month_before_the_start_month_is_refused_at_the_field(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    reg = window.form.regimens
    reg.select_row(3)  # started 2025-02-03
    type_into(qtbot, reg.last_dose_date, "2025-02")  # fine: 3-28 Feb are possible
    qtbot.waitUntil(lambda: window.current_consult() is not None
                    and window.current_consult().regimens[3].last_dose_date == PartialDate(2025, 2))
    type_into(qtbot, reg.last_dose_date, "2025-01")
    qtbot.waitUntil(lambda: reg.boxes["last_dose_date"].error.isVisible())
    assert "before the start date" in reg.boxes["last_dose_date"].error.text()


def test_labs_date_stays_a_full_date(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    widget, box = window.form.fields["labs.date"]
    type_into(qtbot, widget, "2026-11")
    qtbot.waitUntil(lambda: box.error.isVisible())
    assert "not a valid date (use YYYY-MM-DD)" in box.error.text()


def test_calendar_on_a_month_only_date_opens_that_month_and_picks_a_full_date(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    reg = window.form.regimens
    reg.select_row(3)
    type_into(qtbot, reg.last_dose_date, "2025-06")
    reg.last_dose_date.show_calendar()
    cal = reg.last_dose_date.calendar
    assert cal is not None and cal.selectedDate() == QDate(2025, 6, 1)
    cal.clicked.emit(QDate(2025, 6, 17))
    assert reg.last_dose_date.text() == "2025-06-17"
    qtbot.waitUntil(lambda: window.current_consult() is not None
                    and window.current_consult().regimens[3].last_dose_date == PartialDate(2025, 6, 17))
