"""The daily leader logs in to the admin for the first time with two factors on (issue 14): the
admin sends them to set up an authenticator app, they scan the QR code (here: read the secret
the page shows and compute the code as the app would), see their ten recovery codes, and go on
to the admin. Nothing is loaded from another host."""

import os
import re
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ungmusikk.tests.test_two_factor import app_code

pytestmark = [pytest.mark.browser, pytest.mark.otp, pytest.mark.django_db(transaction=True)]


def test_daily_leader_enrols_an_app_and_reaches_the_admin(page, live_server, output_path, network, daily_leader):
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "leder")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/profil/tofaktor/\?next=%2Fadmin%2F$"))

    qr = page.locator("svg#totp-qr")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert (box["width"], box["height"]) == (240, 240)
    secret = page.inner_text("#totp-secret")
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    shots = Path(os.environ.get("SCREENSHOT_DIR") or output_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "totp-enrol.png"), full_page=True)

    page.get_by_label("Engangskode").fill(app_code(b32decode(secret.replace(" ", "")).hex()))
    page.click("#two-factor-confirm")
    page.wait_for_url(re.compile(r"/profil/tofaktor/koder/"))
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
    assert page.locator("#recovery-codes-note").is_visible()
    page.screenshot(path=str(shots / "totp-recovery-codes.png"), full_page=True)

    page.click("#two-factor-continue")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#site-name").inner_text() == "UngMusikk"
    assert TOTPDevice.objects.get(user=daily_leader).confirmed
    assert [url for url in requests if not url.startswith(live_server.url)] == []
