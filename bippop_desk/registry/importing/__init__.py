"""Importing people from the spreadsheets town halls actually keep (.xlsx, .ods, .csv).

The path: `readers` turns a file into a grid of cells (merged cells filled in), `columns`
finds the header row under any title rows and maps columns to fields, `cells` reads one
value (dates as text or dates, phones in any format, "NOM Prénom"), `plan` checks every
row without writing (the preview: rows to import, rejected rows with the reason in
French, possible duplicates), and `apply` writes the whole plan in one transaction, or
nothing. A file already imported (same SHA-256) is refused: importing twice creates
nothing new. No Qt here; may run on any thread that owns the registry.
"""

from bippop_desk.registry.importing.apply import ImportResult, apply_import
from bippop_desk.registry.importing.columns import FIELDS, KINDS
from bippop_desk.registry.importing.plan import ImportPlan, prepare_import

__all__ = ["FIELDS", "KINDS", "ImportPlan", "ImportResult", "apply_import", "prepare_import"]
