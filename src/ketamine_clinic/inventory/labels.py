"""Printable labels for the containers of a receipt: one per vial or device, with its id (large,
and as a QR code), the product, lot and expiry. Avery 5160-like grid: 3 x 10 on US letter."""

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

COLUMNS, ROWS = 3, 10
LABEL_W, LABEL_H = 189, 72  # points (2.625 x 1 in)
LEFT, TOP, GAP = 14, 36, 9
QR_PT = 54


def labels_pdf(containers) -> bytes:
    buf = io.BytesIO()
    pdf = Canvas(buf, pagesize=letter, pageCompression=0)
    pdf.setTitle("Container labels")
    _, page_h = letter
    for i, container in enumerate(containers):
        slot = i % (COLUMNS * ROWS)
        if i and slot == 0:
            pdf.showPage()
        x = LEFT + (slot % COLUMNS) * (LABEL_W + GAP)
        y = page_h - TOP - (slot // COLUMNS + 1) * LABEL_H
        _label(pdf, container, x, y)
    pdf.save()
    return buf.getvalue()


def _label(pdf, container, x: float, y: float) -> None:
    widget = QrCodeWidget(container.label)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(QR_PT, QR_PT, transform=[QR_PT / (right - left), 0, 0, QR_PT / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x + 4, y + 9)
    text_x = x + QR_PT + 8
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(text_x, y + 52, container.label)
    pdf.setFont("Helvetica", 7)
    product = container.product
    pdf.drawString(text_x, y + 40, f"{product.name} {product.concentration_mg_per_ml.normalize():f} mg/mL"[:40])
    pdf.drawString(text_x, y + 31, f"{product.container_volume_ml.normalize():f} mL · {product.schedule} · NDC {product.ndc}")
    pdf.drawString(text_x, y + 22, f"Lot {container.lot_number}")
    pdf.drawString(text_x, y + 13, f"Exp {container.expiry_date:%Y-%m-%d}")
