"""Read back the text of the uncompressed PDFs the billing module draws."""

import re


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    out = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        text = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        text = re.sub(rb"\\(.)", rb"\1", text)
        out.append(text.decode("cp1252"))
    return "\n".join(out)
