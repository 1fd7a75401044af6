"""Forms of the ID photo pages (证件照): upload with the chosen crop, and the staff decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import Length, Optional


class PhotoUploadForm(FlaskForm):
    photo = FileField("证件照（JPG 或 PNG，不超过 8 MB）", validators=[
        FileRequired("请选择照片文件"), FileAllowed(["jpg", "jpeg", "png"], "只支持 JPG 或 PNG 图片")],
        description="近期免冠正面照，白色或浅蓝色纯色背景，面部清晰。平台按二寸（35×49 毫米）比例裁剪。")
    # The chosen area as fractions of the photo (the page's cropper fills them; empty: the centred area).
    crop_x = HiddenField()
    crop_y = HiddenField()
    crop_w = HiddenField()
    submit = SubmitField("上传照片")


class PhotoReviewForm(FlaskForm):
    decision = RadioField("审核结果", choices=[("approve", "通过"), ("reject", "不通过")],
                          validators=[Optional()], default="approve")
    reason = StringField("不通过的原因", validators=[Optional(), Length(max=200, message="不超过 200 字")],
                         description="不通过时必填，例如：背景不是纯色、面部不清晰、不是本人近照")
    version = HiddenField()
    submit = SubmitField("提交审核结果")
