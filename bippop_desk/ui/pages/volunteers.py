"""Volunteers: the list. The file is in `volunteer_file`, the forms in
`volunteer_forms` (both re-exported here for the main window)."""

from __future__ import annotations

from bippop_desk.registry.models.people import VOLUNTEER_STATUSES
from bippop_desk.registry.services.volunteers import (
    LIST_COLUMNS,
    volunteer_ids,
    volunteer_rows,
)
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.pages.people import PeopleListPage, PeopleListSpec
from bippop_desk.ui.pages.volunteer_file import VolunteerFileDialog
from bippop_desk.ui.pages.volunteer_forms import VolunteerEditDialog

__all__ = ["VOLUNTEERS", "VolunteerEditDialog", "VolunteerFileDialog", "VolunteersPage"]

VOLUNTEERS = PeopleListSpec(
    title="Bénévoles",
    kind="benevole",
    entity="volunteer",
    singular="bénévole",
    plural="bénévoles",
    columns=LIST_COLUMNS,
    widths=[16, 13, 13, 13, 7, 11, 22],
    statuses=VOLUNTEER_STATUSES,
    sort_by_column={0: "name", 1: "name", 3: "quartier", 7: "status"},
    ids=volunteer_ids,
    rows=volunteer_rows,
)


class VolunteersPage(PeopleListPage):
    def __init__(self, context: AppContext) -> None:
        super().__init__(context, VOLUNTEERS)
