from ninja import Schema


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def errors(*codes: int) -> dict:
    return {c: ErrorOut for c in codes}
