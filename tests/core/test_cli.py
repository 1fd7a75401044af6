"""create-admin and seed-demo are safe to run again."""

from sqlalchemy import select

from lrc_training.auth.models import Organization, User
from lrc_training.extensions import db


def test_create_admin_is_idempotent(runner):
    result = runner.invoke(args=["create-admin", "boss", "--password", "Guanli#2026x"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["create-admin", "boss", "--password", "Other#2026xy"])
    assert again.exit_code == 0 and "已存在" in again.output
    user = db.session.execute(select(User).where(User.username == "boss")).scalar_one()
    assert user.roles == ["admin"] and user.check_password("Guanli#2026x")


def test_create_admin_rejects_weak_password(runner):
    result = runner.invoke(args=["create-admin", "boss", "--password", "short"])
    assert result.exit_code != 0 and "密码至少 10 位" in result.output


def test_seed_demo_loads_once_with_every_role(runner):
    assert "已载入" in runner.invoke(args=["seed-demo"]).output
    assert "跳过" in runner.invoke(args=["seed-demo"]).output
    users = db.session.execute(select(User)).scalars().all()
    roles = {role for user in users for role in user.roles}
    assert roles == {"admin", "org_staff", "instructor", "examiner", "judge", "trainee"}
    assert db.session.query(Organization).count() == 13
    from lrc_training.courses.models import Course, Enrollment

    assert db.session.query(Course).count() == 3
    statuses = set(db.session.execute(select(Enrollment.status)).scalars())
    assert {"completed", "enrolled", "pending", "waitlisted"} <= statuses
    kinds = set(db.session.execute(select(Organization.kind)).scalars())
    assert {"school", "evaluator", "enterprise", "union", "employer_org", "platform", "hrss"} <= kinds
    regions = set(db.session.execute(select(Organization.region_code)).scalars())
    assert "371502001" in regions and "660800" in regions  # a street-level platform and a 兵团 department


def test_seed_demo_gives_two_trainees_level_certificates_the_registry_counts(runner):
    from lrc_training.certificates.models import Certificate

    runner.invoke(args=["seed-demo"])
    held = db.session.execute(select(User.username, Certificate.level).join(
        Certificate, Certificate.holder_user_id == User.id).where(Certificate.source_type == "import")).all()
    assert sorted(held) == [("trainee2", 4), ("trainee3", 3)]
