from datetime import date

import pytest

from lrc_training.auth.services.identity import mask_id_number, mask_name, mask_phone, parse_id_number, validate_phone
from tests.factories import valid_id_number


def test_valid_id_number_gives_birth_date_region_and_gender():
    number = valid_id_number("371502", "19900315", 123)
    parsed = parse_id_number(number.lower())
    assert parsed.birth_date == date(1990, 3, 15)
    assert parsed.region_code == "371502"
    assert parsed.gender == "男"  # 17th digit 3 is odd


def test_known_real_format_with_x_check_digit():
    # 11010519491231002X is the GB 11643 textbook example.
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "18 位"),
        ("37150219900101123", "18 位"),
        ("3715021990010112AX", "格式不正确"),
        ("991502199001011234", "地区码"),
        ("371502199013011234", "出生日期"),
        ("371502209901011234", "出生日期"),
    ],
)
def test_invalid_id_numbers_are_refused_with_a_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_id_number(value)


def test_wrong_check_digit_is_refused():
    number = valid_id_number("371502", "19900101", 5)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValueError, match="校验码"):
        parse_id_number(wrong)


def test_masks():
    assert mask_id_number("37150219900101123X") == "3715**********123X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"


def test_phone_validation():
    assert validate_phone("+86 138-0013-8000") == "13800138000"
    with pytest.raises(ValueError, match="手机号"):
        validate_phone("12345")
