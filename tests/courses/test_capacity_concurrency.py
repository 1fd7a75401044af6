"""Many trainees enrolling at the same moment never exceed the capacity, on PostgreSQL and on SQLite."""

import threading

from sqlalchemy import func, select

from lrc_training.auth.models import User
from lrc_training.courses.models import Enrollment
from lrc_training.courses.services.enrollment import enroll_trainee
from lrc_training.extensions import db
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_user

# PostgreSQL serialises on the course row (SELECT ... FOR UPDATE); SQLite on its database write lock.


def test_concurrent_enrollments_respect_capacity(app):
    _, teacher = make_school_and_teacher()
    course = make_course(teacher, capacity=5)
    user_ids = [make_user("trainee").id for _ in range(12)]  # below the pool size, so all wait at the barrier
    barrier = threading.Barrier(len(user_ids))
    errors = []

    def enroll(user_id):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                enroll_trainee(user, course.id)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=enroll, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    counts = dict(db.session.execute(select(Enrollment.status, func.count()).group_by(Enrollment.status)).all())
    assert counts == {"enrolled": 5, "waitlisted": 7}
    seqs = db.session.execute(select(Enrollment.waitlist_seq).where(Enrollment.status == "waitlisted")).scalars().all()
    assert sorted(seqs) == list(range(1, 8))
