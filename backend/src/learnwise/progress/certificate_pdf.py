"""The certificate of completion as a PDF (reportlab): learner, course, date, and the
verification URL as text and as a QR code.

Rendering is CPU work: call ``render`` from a thread. Text is set in DejaVu Sans when the
system has it (wide Unicode coverage), else in Bitstream Vera, which ships with reportlab.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import reportlab
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

REGULAR, BOLD = "CertificateSans", "CertificateSans-Bold"
_FONT_CANDIDATES = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
        Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf",
    ),
)
INK = HexColor("#1f2937")
ACCENT = HexColor("#4f46e5")
MUTED = HexColor("#6b7280")


@dataclass(frozen=True, slots=True)
class CertificateContent:
    learner_name: str
    course_title: str
    issued_at: datetime
    verification_code: str
    verification_url: str
    issuer: str = "Learnwise"


@cache
def _register_fonts() -> None:
    regular, bold = next(pair for pair in _FONT_CANDIDATES if all(p.is_file() for p in pair))
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))


def _fitted_size(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    """The largest size at most ``largest`` at which the text fits the width (or ``smallest``)."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _centred_lines(
    canvas: Canvas, lines: list[str], *, font: str, size: float, centre_x: float, top: float
) -> float:
    canvas.setFont(font, size)
    y = top
    for line in lines:
        canvas.drawCentredString(centre_x, y, line)
        y -= size * 1.25
    return y


def _qr_code(canvas: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size)
    drawing.add(widget)
    drawing.scale(size / (right - left), size / (top - bottom))
    renderPDF.draw(drawing, canvas, x, y)


def render(content: CertificateContent) -> bytes:
    """The certificate as a one-page landscape A4 PDF."""
    _register_fonts()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"Certificate of completion: {content.course_title}")
    canvas.setAuthor(content.issuer)
    canvas.setSubject(f"{content.learner_name} completed {content.course_title}")
    canvas.setCreator(content.issuer)

    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.75)
    canvas.rect(32, 32, width - 64, height - 64)

    centre = width / 2
    text_width = width - 160
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 14)
    canvas.drawCentredString(centre, height - 80, content.issuer.upper())
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 32)
    canvas.drawCentredString(centre, height - 140, "Certificate of Completion")

    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 14)
    canvas.drawCentredString(centre, height - 190, "This certifies that")
    canvas.setFillColor(INK)
    name_size = _fitted_size(content.learner_name, BOLD, 30, 14, text_width)
    canvas.setFont(BOLD, name_size)
    canvas.drawCentredString(centre, height - 235, content.learner_name)

    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 14)
    canvas.drawCentredString(centre, height - 275, "has successfully completed the course")
    canvas.setFillColor(INK)
    title_lines = simpleSplit(content.course_title, BOLD, 22, text_width)[:3]
    below_title = _centred_lines(
        canvas, title_lines, font=BOLD, size=22, centre_x=centre, top=height - 315
    )
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 12)
    issued = content.issued_at
    canvas.drawCentredString(centre, below_title - 12, f"Issued on {issued.day} {issued:%B %Y}")

    qr_size = 92
    _qr_code(canvas, content.verification_url, x=width - 64 - qr_size, y=56, size=qr_size)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 9)
    canvas.drawString(64, 92, "Verify this certificate at:")
    canvas.setFillColor(INK)
    url_size = _fitted_size(content.verification_url, REGULAR, 9, 5, width - 200 - qr_size)
    canvas.setFont(REGULAR, url_size)
    canvas.drawString(64, 78, content.verification_url)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 9)
    canvas.drawString(64, 64, f"Verification code: {content.verification_code}")

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
