"""Page numbers the API accepts: an offset past any integer column (PostgreSQL bigint, SQLite
INTEGER) makes the database refuse the query, so pages stop at MAX_PAGE (422 beyond it; a page
past the last result is simply empty)."""

MAX_PAGE = 1_000_000


def page_slice(page: int, page_size: int) -> slice:
    start = (page - 1) * page_size
    return slice(start, start + page_size)
