"""The plan page's predicted-level chart stays inside its card, and the page inside the window."""

import pytest
from playwright.sync_api import expect

from tests.support.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, height", [(1366, 768), (768, 1024)])
def test_plan_chart_fits_its_card_and_the_page_fits_the_window(browser, live_server, prescriber, draft, width, height):
    plan = draft()
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", prescriber.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.goto(f"/plans/{plan.public_id}/")
        card = page.locator("section", has=page.locator("#curve-h"))
        expect(card.get_by_test_id("share-above")).to_contain_text("% of 200")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"page is {page_width} px wide in a {width} px window"
        card_box, svg_box = card.bounding_box(), card.locator("svg").bounding_box()
        assert svg_box["x"] + svg_box["width"] <= card_box["x"] + card_box["width"] + 0.5
    finally:
        context.close()
