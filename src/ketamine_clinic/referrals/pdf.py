"""Letters to the referring clinician as PDFs (the billing PDF writer: reportlab, uncompressed so
tests read the text). Drawn from the letter's frozen content, so a reprint shows what was sent."""

from ketamine_clinic.billing.pdf import Writer


def letter_pdf(content: dict) -> bytes:
    w = Writer(content["subject"])
    w.title(content["clinic"], content["date"], size=14)
    w.text(f"To: {content['referrer']}, {content['practice']}")
    w.text(f"Phone {content['referrer_phone']}" + (f" · Fax {content['referrer_fax']}" if content["referrer_fax"] else ""))
    w.gap()
    w.text(f"Re: {content['patient']} (born {content['date_of_birth']})", bold=True)
    w.text(content["subject"], bold=True)
    w.gap()
    for paragraph in content["paragraphs"]:
        w.text(paragraph)
        w.gap()
    if content.get("outcome"):
        w.text("Measured outcome", bold=True)
        for line in content["outcome"]:
            w.text(line, indent=12)
        w.gap()
    w.text("The patient agreed that the clinic writes to you about their care.", size=9)
    return w.finish()
