"""The selection pages' forms. They render and carry the CSRF token; their input is declared, labelled and
validated by the schemas in selection/schemas.py (core.forms.SchemaForm), so no limit is written here."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (  # WTForms' own number and time fields only render here: the schemas parse and bound them
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ....core.form_fields import DateTimeLocalField
from ....core.forms import SchemaForm
from ..models import DEFAULT_NOTICE_DAYS, DEFAULT_PER_ORG_LIMIT, DEFAULT_TITLE, KIND_LABELS
from ..schemas import (
    NominationFormIn,
    NominationIn,
    ObjectionDecisionIn,
    ObjectionFormIn,
    ReviewerIn,
    RoundFormIn,
    ScoreFormIn,
)

MINUTES = "%Y-%m-%dT%H:%M"


class RoundForm(SchemaForm):
    schema = RoundFormIn

    title = StringField(default=DEFAULT_TITLE)
    kind = SelectField(choices=list(KIND_LABELS.items()))
    standard = TextAreaField()
    quota = IntegerField()
    per_org_limit = IntegerField(default=DEFAULT_PER_ORG_LIMIT)
    nomination_deadline = DateTimeLocalField(format=MINUTES)
    review_deadline = DateTimeLocalField(format=MINUTES)
    notice_days = IntegerField(default=DEFAULT_NOTICE_DAYS)
    version = HiddenField()
    submit = SubmitField("保存")


class NominationForm(SchemaForm):
    """A person round's nomination: the picker lists the organization's coordinators (the view fills it)."""

    schema = NominationFormIn

    user_id = SelectField(coerce=int, description="本单位的劳动关系协调员；其工作情况和证书将自动附上")
    grounds = TextAreaField()
    submit = SubmitField("提交推荐")


class OrganizationNominationForm(SchemaForm):
    schema = NominationIn

    grounds = TextAreaField()
    submit = SubmitField("推荐本单位")


class ReviewerForm(SchemaForm):
    schema = ReviewerIn

    username = StringField(description="被推荐人不能担任评审；评审专家不为本单位推荐的人选评分")
    submit = SubmitField("指定")


class ScoreForm(SchemaForm):
    """A row of the review sheet; review.html renders its boxes itself (one form per nomination)."""

    schema = ScoreFormIn

    score = StringField()
    comment = TextAreaField()
    version = HiddenField()
    submit = SubmitField("保存评分")


class ButtonForm(FlaskForm):
    """A button that changes something: CSRF only."""

    submit = SubmitField("确定")


class DecideForm(SchemaForm):
    schema = ObjectionDecisionIn

    outcome = SelectField(choices=[("dismissed", "异议不成立"), ("upheld", "异议成立，取消入选")])
    reply = TextAreaField()
    submit = SubmitField("处理")


class ObjectionForm(SchemaForm):
    """The notice page's objection; the view lists the shortlist in the picker."""

    schema = ObjectionFormIn

    nomination_id = SelectField(coerce=int)
    text = TextAreaField()
    contact = StringField()
    submit = SubmitField("提交异议")
