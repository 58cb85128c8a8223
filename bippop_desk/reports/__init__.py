"""Documents that leave the building: the visit roster (PDF) and the hours workbook (.xlsx)."""
