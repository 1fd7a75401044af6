"""On a phone-sized screen the navigation collapses behind the toggler and signing in still works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lrc_training.extensions import db
from tests.e2e.conftest import PHONE
from tests.factories import make_user

pytestmark = pytest.mark.e2e

SHOWN = re.compile(r"^(?!.*\bcollapsing\b).*\bshow\b")  # open, and Bootstrap's animation has finished


def test_phone_navbar_collapses_and_login_works(new_page, screenshot):
    make_user("trainee", username="mobileuser", name="孙丽娟")
    db.session.commit()
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)

    page.goto("/")
    toggler = page.get_by_role("button", name="切换导航")
    menu = page.locator("#mainNav")
    nav_login = page.locator("#mainNav").get_by_role("link", name="登录")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(nav_login).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "collapsed")

    toggler.tap()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_have_class(SHOWN)
    expect(nav_login).to_be_visible()
    screenshot(page, "expanded")
    nav_login.tap()

    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("用户名").fill("mobileuser")
    page.get_by_label("密码", exact=True).fill("Passw0rd1")
    page.get_by_role("button", name="登录").tap()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，孙丽娟")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Signed in, the collapsed menu holds the user's links and the sign-out button.
    logout = page.get_by_role("button", name="退出", exact=True)
    expect(logout).to_be_hidden()
    page.wait_for_load_state()  # Bootstrap's script has run: the toggler works
    page.get_by_role("button", name="切换导航").tap()
    expect(menu).to_have_class(SHOWN)
    expect(logout).to_be_visible()
    expect(page.locator("#mainNav").get_by_role("link", name="个人信息")).to_be_visible()
    screenshot(page, "signed-in-menu")
