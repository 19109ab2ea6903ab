"""Rendering a report document as CSV, XLSX (openpyxl) or PDF (reportlab, with charts).

Synchronous and CPU-bound: call them through ``asyncio.to_thread``.
"""

import csv
import io
from collections.abc import Callable
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from learnwise.analytics.reports.document import Cell, Chart, ReportDocument
from learnwise.analytics.reports.schemas import ReportFormat

MEDIA_TYPES = {
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(document: ReportDocument) -> bytes:
    """Every table in turn: a row with its name, its header, its rows, then an empty row.
    UTF-8 with a byte-order mark, which spreadsheet applications need to read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([document.title])
    for label, value in document.facts:
        writer.writerow([label, value])
    writer.writerow([])
    for table in document.tables:
        writer.writerow([f"# {table.name}"])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(
                [
                    _spreadsheet_safe(_text(cell)) if isinstance(cell, str) else _text(cell)
                    for cell in row
                ]
            )
        if table.note:
            writer.writerow([f"# {table.note}"])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode()


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "Sheet"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]} {n}", n + 1
    used.add(title)
    return title


def render_xlsx(document: ReportDocument) -> bytes:
    """A summary sheet with the facts, then one sheet per table (typed cells)."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append([document.title])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in document.facts:
        summary.append([label, _spreadsheet_safe(value)])
    used = {"Summary"}
    for table in document.tables:
        sheet = workbook.create_sheet(_sheet_title(table.name, used))
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, datetime):
        # Excel has no time zones: UTC, written without one.
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return _spreadsheet_safe(value)
    return value


def _chart(chart: Chart) -> Drawing:
    drawing = Drawing(24 * cm, 8 * cm)
    drawing.add(String(0, 7.4 * cm, chart.title, fontName="Helvetica-Bold", fontSize=11))
    plot: VerticalBarChart | HorizontalLineChart = (
        VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    )
    plot.x, plot.y = 1.5 * cm, 1.5 * cm
    plot.width, plot.height = 21 * cm, 5.2 * cm
    plot.data = [chart.values or [0]]
    plot.categoryAxis.categoryNames = chart.labels or [""]
    plot.categoryAxis.labels.fontSize = 7
    plot.categoryAxis.labels.angle = 30 if len(chart.labels) > 8 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(chart.labels) > 8 else "n"
    plot.valueAxis.valueMin = 0
    plot.valueAxis.labels.fontSize = 7
    if isinstance(plot, VerticalBarChart):
        plot.bars[0].fillColor = colors.HexColor("#3b6fb6")
    else:
        plot.lines[0].strokeColor = colors.HexColor("#3b6fb6")
    drawing.add(plot)
    return drawing


def render_pdf(document: ReportDocument) -> bytes:
    """The facts, the charts (reportlab.graphics), then every table (repeating its header
    across pages)."""
    styles = getSampleStyleSheet()
    cell_style = styles["BodyText"].clone("cell", fontSize=7, leading=8)
    story: list[Flowable] = [Paragraph(_escape(document.title), styles["Title"])]
    for label, value in document.facts:
        story.append(Paragraph(f"<b>{_escape(label)}</b>: {_escape(value)}", styles["BodyText"]))
    for chart in document.charts:
        story += [Spacer(1, 0.4 * cm), _chart(chart)]
    for table in document.tables:
        story += [Spacer(1, 0.5 * cm), Paragraph(_escape(table.name), styles["Heading2"])]
        if not table.rows:
            story.append(Paragraph("No rows.", styles["BodyText"]))
        else:
            data = [[Paragraph(_escape(c), cell_style) for c in table.columns]]
            data += [[Paragraph(_escape(_text(c)), cell_style) for c in row] for row in table.rows]
            grid = LongTable(data, repeatRows=1)
            grid.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(grid)
        if table.note:
            story.append(Paragraph(_escape(table.note), styles["Italic"]))
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=document.title,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    pdf.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


RENDERERS: dict[ReportFormat, Callable[[ReportDocument], bytes]] = {
    ReportFormat.CSV: render_csv,
    ReportFormat.XLSX: render_xlsx,
    ReportFormat.PDF: render_pdf,
}
