def test_stylesheet_and_htmx_are_served_by_the_app_itself(client):
    css = client.get("/static/css/app.css")
    assert css.status_code == 200 and b".topbar" in b"".join(css.streaming_content)
    htmx = client.get("/static/django_htmx/htmx-2.min.js")
    assert htmx.status_code == 200


def test_pages_reference_no_external_hosts(db, client_for, nurse):
    body = client_for(nurse).get("/").content.decode()
    assert "/static/css/app.css" in body and "https://" not in body and "http://" not in body.replace("http://www.w3.org", "")
