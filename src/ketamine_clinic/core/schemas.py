from ninja import Schema


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def errors(*codes: int) -> dict:
    """Error responses to declare, each with the standard shape. An operation that reads a body
    (so declares 400 for one it cannot parse) can also be sent one too large to read: 413."""
    declared = set(codes) | ({413} if 400 in codes else set())
    return {c: ErrorOut for c in sorted(declared)}
