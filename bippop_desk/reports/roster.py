"""The weekly visit roster (PDF, A4 landscape): per volunteer or per day.

Each table's title and column header repeat on every page; long text wraps inside its
cell; an empty week gives one clear page. Every name prints with real glyphs (embedded
DejaVu Sans, right-to-left text reordered). No Qt: the desk previews and prints the
bytes this module makes. May run on any thread (reportlab keeps no shared state once
the fonts are registered).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bippop_desk.registry.clock import local_now
from bippop_desk.registry.frdates import long_date, short_date, short_datetime, short_time
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.services.week import WeekData, WeekMission, week_missions
from bippop_desk.registry.store import Registry
from bippop_desk.reports.pdf_fonts import FONT, FONT_BOLD, register_fonts
from bippop_desk.reports.pdf_page import INK, PageFurniture, numbered_canvas
from bippop_desk.reports.rtl import visual

Layout = Literal["volunteer", "day"]
LAYOUTS: dict[str, str] = {"volunteer": "par bénévole", "day": "par jour"}

PAGE = landscape(A4)
MARGIN = 1.4 * cm
# Longer text is cut with "…": a printed roster needs the gist, and a cell taller than
# a page could not be laid out at all.
MAX_TEXT = 600
MAX_NAME = 160
FONT_SIZE = 8
LEADING = 9.8
PADDING = 3

HEADER_BG = colors.HexColor("#DCE3F0")
TITLE_BG = INK
HOLIDAY_BG = colors.HexColor("#FCE8C8")
ZEBRA = colors.HexColor("#F5F7FA")
GRID = colors.HexColor("#A8B0C0")


@dataclass(frozen=True)
class RosterResult:
    path: Path | None
    pages: int
    missions: int


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=FONT_SIZE, leading=LEADING, textColor=INK)
    return {
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=FONT_BOLD),
        "title": ParagraphStyle(
            "title", parent=cell, fontName=FONT_BOLD, fontSize=10, leading=12.5
        ),
        "banner": ParagraphStyle(
            "banner",
            parent=cell,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=12.5,
            textColor=colors.white,
        ),
        "empty": ParagraphStyle(
            "empty", parent=cell, fontName=FONT_BOLD, fontSize=16, leading=20, alignment=1
        ),
        "note": ParagraphStyle("note", parent=cell, fontSize=10, leading=13, alignment=1),
    }


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """Paragraph markup for untrusted text: cut to `limit`, drawn in display order,
    XML-escaped (a name with "<" or "&" prints as typed), line breaks kept."""
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    lines = (escape(visual(line)) for line in text.splitlines())
    return "<br/>".join(lines)


def _when(mission: WeekMission) -> str:
    return f"{short_time(mission.starts_at)}–{short_time(mission.ends_at)}"


def _day_short(day: dt.date, holiday: str | None) -> str:
    name = long_date(day).split(" ")[0]
    text = f"{name[:3]}. {short_date(day)[:5]}"
    return f"{text}<br/><b>férié</b>" if holiday else text


def _address(mission: WeekMission) -> str:
    text = clean(mission.address)
    if mission.access_notes:
        text += f'<br/><font size="7">Accès : {clean(mission.access_notes)}</font>'
    return text


def _notes(mission: WeekMission) -> str:
    parts = []
    if mission.status not in ("planifiee",):
        parts.append(f"<b>{escape(mission.status_label)}</b>")
    if mission.notes:
        parts.append(clean(mission.notes))
    if mission.request_notes:
        parts.append(f"Demande : {clean(mission.request_notes)}")
    return "<br/>".join(parts)


COLUMNS: dict[str, tuple[tuple[str, float], ...]] = {
    # (header, share of the width): shares add up to 1.
    "volunteer": (
        ("Jour", 0.075),
        ("Heure", 0.075),
        ("Bénéficiaire", 0.15),
        ("Adresse et accès", 0.245),
        ("Téléphone", 0.105),
        ("Mission", 0.12),
        ("Notes", 0.23),
    ),
    "day": (
        ("Heure", 0.075),
        ("Bénévole", 0.13),
        ("Bénéficiaire", 0.14),
        ("Adresse et accès", 0.235),
        ("Téléphone", 0.105),
        ("Mission", 0.115),
        ("Notes", 0.20),
    ),
}


class _Builder:
    """Turns a week into flowables for one layout."""

    def __init__(self, week: WeekData, layout: Layout, include_cancelled: bool) -> None:
        self.week = week
        self.layout = layout
        self.include_cancelled = include_cancelled
        self.styles = _styles()
        self.width = PAGE[0] - 2 * MARGIN
        self.widths = [share * self.width for _, share in COLUMNS[layout]]
        self.holidays = {day.day: day.holiday for day in week.days}

    def keep(self, mission: WeekMission) -> bool:
        return self.include_cancelled or mission.status != "annulee"

    def p(self, markup: str, style: str = "cell") -> Paragraph:
        return Paragraph(markup, self.styles[style])

    def fit(self, text: str, column: int, *, bold: bool = False, limit: int = MAX_TEXT) -> Any:
        """A one-line text that fits its column as a plain string (drawn as is, much
        cheaper to lay out), anything longer as a wrapping paragraph."""
        text = text.strip()
        if "\n" not in text and len(text) <= 80:
            shown = visual(text)
            font = FONT_BOLD if bold else FONT
            if stringWidth(shown, font, FONT_SIZE) <= self.widths[column] - 2 * PADDING:
                return shown
        markup = clean(text, limit)
        return self.p(f"<b>{markup}</b>" if bold else markup)

    def row(self, mission: WeekMission) -> list[Any]:
        if self.layout == "volunteer":
            day = mission.day
            first = [
                self.p(_day_short(day, self.holidays[day]))
                if self.holidays.get(day)
                else self.fit(_day_short(day, None), 0),
                _when(mission),
            ]
        else:
            first = [_when(mission), self.fit(mission.volunteer_name, 1, limit=MAX_NAME)]
        address = (
            self.p(_address(mission)) if mission.access_notes else self.fit(mission.address, 3)
        )
        notes = _notes(mission)
        return [
            *first,
            self.fit(mission.beneficiary_name, 2, bold=True, limit=MAX_NAME),
            address,
            self.fit(mission.phone or "—", 4),
            self.fit(mission.mission_type_label, 5, limit=MAX_NAME),
            self.p(notes) if notes else "",
        ]

    def table(self, title: str, missions: list[WeekMission], holiday_rows: bool) -> Table:
        head = [self.p(escape(name), "head") for name, _ in COLUMNS[self.layout]]
        titles: list[Any] = [self.p(title, "banner")] + [""] * (len(head) - 1)
        data = [titles, head] + [self.row(m) for m in missions]
        style = [
            # Plain-string cells are drawn in the table's font: the embedded one, and bold
            # for the beneficiary's name.
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTNAME", (2, 2), (2, -1), FONT_BOLD),
            ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
            ("LEADING", (0, 0), (-1, -1), LEADING),
            ("TEXTCOLOR", (0, 2), (-1, -1), INK),
            ("SPAN", (0, 0), (-1, 0)),
            ("BACKGROUND", (0, 0), (-1, 0), TITLE_BG),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("BACKGROUND", (0, 1), (-1, 1), HEADER_BG),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 1), (-1, -1), 0.4, GRID),
            ("BOX", (0, 0), (-1, -1), 0.8, INK),
            ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        for index, mission in enumerate(missions, start=2):
            if holiday_rows and self.holidays.get(mission.day):
                style.append(("BACKGROUND", (0, index), (0, index), HOLIDAY_BG))
            elif index % 2:
                style.append(("BACKGROUND", (0, index), (-1, index), ZEBRA))
        return Table(data, colWidths=self.widths, repeatRows=2, style=TableStyle(style))

    def flowables(self) -> list[Any]:
        kept = [m for m in self.week.missions() if self.keep(m)]
        if not kept:
            return self.empty()
        if self.layout == "volunteer":
            return self.by_volunteer()
        return self.by_day()

    def empty(self) -> list[Any]:
        flow: list[Any] = [Spacer(1, 4 * cm), self.p("Aucune intervention cette semaine", "empty")]
        flow.append(Spacer(1, 0.6 * cm))
        flow.append(self.p(escape(self.week.label), "note"))
        return flow

    def by_volunteer(self) -> list[Any]:
        flow: list[Any] = []
        for group in self.week.by_volunteer():
            missions = [m for m in group.missions if self.keep(m)]
            if not missions:
                continue
            if flow:
                flow.append(PageBreak())  # one sheet per volunteer, to hand out
            count = _count(len(missions))
            title = f"{clean(group.volunteer_name, MAX_NAME)} — {count} cette semaine"
            flow.append(self.table(title, missions, holiday_rows=True))
        return flow

    def by_day(self) -> list[Any]:
        flow: list[Any] = []
        for day in self.week.days:
            missions = [m for m in day.missions if self.keep(m)]
            title = escape(long_date(day.day).capitalize())
            if day.holiday:
                title += f" — jour férié : {escape(day.holiday)}"
            if missions:
                title += f" — {_count(len(missions))}"
                flow.append(self.table(title, missions, holiday_rows=False))
            else:
                flow.append(self._empty_day(title + " — aucune intervention"))
            flow.append(Spacer(1, 0.35 * cm))
        return flow

    def _empty_day(self, title: str) -> Table:
        style = self.styles["title"]
        muted = ParagraphStyle("e", parent=style, fontName=FONT, textColor=INK)
        table = Table([[Paragraph(title, muted)]], colWidths=[self.width])
        background = HOLIDAY_BG if "férié" in title else HEADER_BG
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("BACKGROUND", (0, 0), (-1, -1), background),
                    ("BOX", (0, 0), (-1, -1), 0.4, GRID),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table


def _count(n: int) -> str:
    return f"{n} intervention{'s' if n > 1 else ''}"


def _furniture(week: WeekData, layout: Layout, printed_at: dt.datetime) -> PageFurniture:
    notes = tuple(f"Férié : {_day_short(day, None)} ({name})" for day, name in week.public_holidays)
    return PageFurniture(
        issuer=f"{week.commune_name} — CCAS" if week.commune_name else "CCAS",
        title=f"Planning des visites — semaine {week.iso_week} ({LAYOUTS[layout]})",
        subtitle=week.label.split(" — ", 1)[1],
        right_notes=notes,
        printed=f"Imprimé le {short_datetime(printed_at).replace(' ', ' à ')}",
        margin=MARGIN,
    )


def roster_pdf(
    week: WeekData,
    layout: Layout = "day",
    *,
    include_cancelled: bool = False,
    printed_at: dt.datetime | None = None,
) -> tuple[bytes, int]:
    """The roster of `week` as PDF bytes, with its page count.

    Cancelled missions are left out unless `include_cancelled`; other statuses than
    "planned" are written in the notes column.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown roster layout {layout!r}")
    buffer = io.BytesIO()
    pages: list[int] = []
    furniture = _furniture(week, layout, printed_at or local_now())
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 0.5 * cm,
        bottomMargin=MARGIN,
        title=f"Planning des visites — {week.code} — {week.commune_name}",
        author=f"{week.commune_name} — Bip Pop Desk",
        subject=f"Planning des visites {LAYOUTS[layout]}, {week.label}",
        creator="Bip Pop Desk",
    )
    document.build(
        _Builder(week, layout, include_cancelled).flowables(),
        canvasmaker=numbered_canvas(furniture, pages.append),
    )
    return buffer.getvalue(), pages[0] if pages else 0


def write_roster(
    registry: Registry,
    iso_year: int,
    iso_week: int,
    layout: Layout,
    path: Path | str,
    *,
    volunteer_id: str | None = None,
    include_cancelled: bool = False,
) -> RosterResult:
    """Read the week from the registry and write its roster to `path` (written to a
    temporary name first, so a half-written file never replaces a good one)."""
    week = week_missions(registry, iso_year, iso_week, volunteer_id)
    content, pages = roster_pdf(week, layout, include_cancelled=include_cancelled)
    target = Path(path)
    with written_atomically(target) as partial:
        partial.write_bytes(content)
    missions = sum(1 for m in week.missions() if include_cancelled or m.status != "annulee")
    return RosterResult(target, pages, missions)
