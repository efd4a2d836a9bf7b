"""`ketamine-clinic serve` as production runs it: gunicorn, settings from the environment."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if k not in ("KETAMINE_CLINIC_TESTING", "KETAMINE_CLINIC_DEMO", "DEBUG")}
    env.update(SECRET_KEY="a-production-like-secret-key-for-the-test", AUDIT_KEY="a-production-like-audit-key-for-the-test", DATABASE_URL=f"sqlite:///{home / 'prod.sqlite3'}",
               ALLOWED_HOSTS="127.0.0.1", STATIC_ROOT=str(home / "static"))
    cli = [sys.executable, "-m", "ketamine_clinic.cli"]
    for step in (["manage", "migrate", "--noinput"], ["manage", "createcachetable"], ["manage", "collectstatic", "--noinput"]):
        done = subprocess.run(cli + step, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    port = free_port()
    proc = subprocess.Popen(cli + ["serve", "--port", str(port), "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:  # not listening yet
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_healthz_answers_over_plain_http_for_the_load_balancer(server):
    with urllib.request.urlopen(server + "/healthz", timeout=5) as response:
        assert response.status == 200 and b'"database": "ok"' in response.read()


def test_everything_else_is_redirected_to_https(server):
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as exc:
        opener.open(server + "/patients/", timeout=5)
    assert exc.value.code == 301 and exc.value.headers["Location"].startswith("https://")


def test_behind_a_tls_proxy_pages_carry_strict_security_headers(server):
    request = urllib.request.Request(server + "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=5) as response:
        headers = response.headers
        assert response.status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        cookies = " ".join(headers.get_all("Set-Cookie") or [])
        assert "csrftoken" in cookies and "Secure" in cookies


def test_collected_static_files_are_served_compressed_by_whitenoise(server):
    request = urllib.request.Request(server + "/static/css/app.css", headers={"X-Forwarded-Proto": "https"})
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(urllib.request.Request(server + "/static/css/nope.css", headers={"X-Forwarded-Proto": "https"}), timeout=5)
    assert missing.value.code == 404
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200 and b".topbar" in response.read()
