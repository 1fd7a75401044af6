"""In-site notifications and the editable work-area list."""

from sqlalchemy import select

from lrc_training.core.models import Notification, WorkArea
from lrc_training.core.notifications import notify, unread_count
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.factories import make_user


def test_user_reads_own_notifications_and_marks_them_read(client, app):
    me, other = make_user("trainee", username="me"), make_user("trainee", username="other")
    notify(me.id, "候补成功：《劳动合同管理实务》", "您已递补为正式学员。", "/courses/1")
    notify(me.id, "报名已通过：《集体协商实务》")
    notify(other.id, "别人的通知")
    db.session.commit()
    login(client, "me")
    page = client.get("/notifications").get_data(as_text=True)
    assert "候补成功" in page and "别人的通知" not in page
    first = db.session.execute(select(Notification).where(Notification.user_id == me.id)).scalars().first()
    post_form(client, "/notifications/read", {"notification_id": str(first.id)})
    assert unread_count(me.id) == 1
    # Another user's id marks nothing of theirs.
    foreign = db.session.execute(select(Notification).where(Notification.user_id == other.id)).scalar_one()
    post_form(client, "/notifications/read", {"notification_id": str(foreign.id)})
    assert unread_count(other.id) == 1
    post_form(client, "/notifications/read", {"next": "https://evil.example/"})
    assert unread_count(me.id) == 0


def test_admin_adds_renames_and_retires_work_areas(client):
    make_user("admin", username="root")
    login(client, "root")
    assert "劳动合同管理" in client.get("/admin/work-areas").get_data(as_text=True)
    post_form(client, "/admin/work-areas", {"code": "md", "name": "劳动争议调解", "active": "y", "create": "1"})
    assert db.session.get(WorkArea, "MD").name == "劳动争议调解"
    duplicate = post_form(client, "/admin/work-areas", {"code": "MD", "name": "重复", "active": "y", "create": "1"})
    assert "该代码已存在" in duplicate.get_data(as_text=True)
    post_form(client, "/admin/work-areas", {"code": "LC", "name": "劳动合同管理（2019版）", "create": "0"})
    area = db.session.get(WorkArea, "LC")
    assert area.name == "劳动合同管理（2019版）" and area.active is False
    bad = post_form(client, "/admin/work-areas", {"code": "1x", "name": "x", "create": "1"})
    assert "代码应为 2–8 位大写字母" in bad.get_data(as_text=True)
