"""The home page (工作台): to-dos from the registered providers, most urgent first; 暂无待办 with the role's main
links; and the bell with the unread count on every page, for one COUNT per request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lrc_training.core.notifications import notify
from lrc_training.core.todo import EXTENSION_KEY, INFO, NOW, SOON, TodoItem, register_todo_provider, time_left
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.factories import make_user
from tests.home import home_page, todo_section


@pytest.fixture
def extra_provider(app):
    """Register a provider for the test, as create_app registers the areas' ones; removed afterwards."""
    before = list(app.extensions[EXTENSION_KEY])
    yield lambda provider: register_todo_provider(app, provider)
    app.extensions[EXTENSION_KEY][:] = before


def test_every_area_registers_its_provider_once(app):
    from lrc_training import register_todo_providers

    names = [p.__module__ for p in app.extensions[EXTENSION_KEY]]
    register_todo_providers(app)  # building twice lists nothing twice
    assert [p.__module__ for p in app.extensions[EXTENSION_KEY]] == names
    assert names == ["lrc_training.exams.todo", "lrc_training.courses.todo", "lrc_training.contests.todo",
                     "lrc_training.certificates.todo", "lrc_training.registry.todo", "lrc_training.registry.todo"]


def test_a_new_provider_is_one_function_and_items_sort_by_urgency_then_due_time(client, extra_provider):
    def reports_due(user, when):  # what the reporting work will add: a report due in three days
        return [TodoItem("报送季度报表", "/registry/", "2026 年第一季度", when + timedelta(days=3), urgency=SOON),
                TodoItem("提醒事项", "/registry/", urgency=INFO),
                TodoItem("马上截止", "/registry/", "", when + timedelta(hours=5), urgency=NOW),
                TodoItem("稍后截止", "/registry/", "", when + timedelta(hours=1), urgency=SOON)]

    extra_provider(reports_due)
    make_user("trainee", username="someone")
    login(client, "someone")
    html = todo_section(client)
    order = [html.index(title) for title in ("马上截止", "稍后截止", "报送季度报表", "提醒事项")]
    assert order == sorted(order)
    assert "还有 3 天" in html and re.search(r"还有 [45] 小时", html)
    assert ">4<" in html.split("</h2>")[0]  # the count beside 待办


def test_nothing_to_do_says_so_and_offers_the_roles_main_pages(client):
    make_user("trainee", username="learner")
    login(client, "learner")
    html = home_page(client)
    section = html[html.index('id="todo-heading"'):]
    section = section[:section.index("</section>")]
    assert "暂无待办" in section and 'href="/courses/"' in section and 'href="/exams/mine"' in section
    assert todo_section(client) == ""


def test_the_bell_shows_the_unread_count_on_every_page(client):
    user = make_user("trainee", username="learner")
    for n in range(3):
        notify(user.id, f"通知{n}")
    db.session.commit()
    login(client, "learner")
    for path in ("/dashboard", "/courses/", "/profile", "/notifications"):
        html = client.get(path).get_data(as_text=True)
        assert 'aria-label="3 条未读消息"' in html, path
        assert '<span class="badge rounded-pill text-bg-danger" aria-hidden="true">3</span>' in html
    post_form(client, "/notifications/read", {}, token_from="/notifications")
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'aria-label="消息通知，没有未读消息"' in html and "text-bg-danger" not in html


def test_no_bell_for_visitors(client):
    assert "未读消息" not in client.get("/").get_data(as_text=True)
    assert "未读消息" not in client.get("/login").get_data(as_text=True)


def test_the_bell_costs_one_count_per_request(client, count_queries):
    user = make_user("trainee", username="learner")
    notify(user.id, "通知")
    db.session.commit()
    login(client, "learner")
    with count_queries() as counter:
        client.get("/profile")
    counts = [s for s in counter.statements if "count(" in s.lower() and "notifications" in s.lower()]
    assert len(counts) == 1


def test_time_left_in_words():
    now = utcnow()
    assert time_left(None, now) == ""
    assert time_left(now - timedelta(minutes=1), now) == "已过"
    assert time_left(now + timedelta(seconds=20), now) == "还有 1 分钟"
    assert time_left(now + timedelta(minutes=110), now) == "还有 1 小时 50 分"
    assert time_left(now + timedelta(hours=2), now) == "还有 2 小时"
    assert time_left(now + timedelta(days=3, hours=2), now) == "还有 3 天"
