"""The beneficiaries list: 100,000 rows in a lazy table, a search filter, sortable."""

from __future__ import annotations

from bippop_desk.registry.labels import BENEFICIARY_STATUSES
from bippop_desk.registry.lists import BENEFICIARY_COLUMNS, beneficiary_ids, beneficiary_rows
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.pages.people import PeopleListPage, PeopleListSpec

BENEFICIARIES = PeopleListSpec(
    title="Bénéficiaires",
    kind="beneficiaire",
    entity="beneficiary",
    singular="bénéficiaire",
    plural="bénéficiaires",
    columns=BENEFICIARY_COLUMNS,
    widths=[18, 16, 11, 16, 30, 16, 8],
    statuses=BENEFICIARY_STATUSES,
    sort_by_column={0: "name", 1: "name", 2: "birth_date", 5: "city"},
    ids=beneficiary_ids,
    rows=beneficiary_rows,
    raw=True,
)


class BeneficiariesPage(PeopleListPage):
    def __init__(self, context: AppContext) -> None:
        super().__init__(context, BENEFICIARIES)
