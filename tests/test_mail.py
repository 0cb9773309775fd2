"""Mail through the whole ingest: .eml and .mbox written by Python's email and mailbox modules."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import datetime

import pytest
from cfb_writer import msg_nodes, write_msg
from fixtures import SAMPLE, file_row, ingest_folder, issues_of, numbers, return_of, write_vertical_xlsx
from mail_builders import CHINA, XLSX, forwarded, mail, with_raw_name, write_eml, write_mbox

EXPECTED = {k: float(v) for k, v in SAMPLE.items()}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(scope="module")
def form_bytes(tmp_path_factory) -> bytes:
    return write_vertical_xlsx(tmp_path_factory.mktemp("x") / "a.xlsx", SAMPLE, stamp="").read_bytes()


@pytest.fixture(scope="module")
def mails(tmp_path_factory, form_bytes):
    raw = tmp_path_factory.mktemp("mail") / "2023"
    june = lambda day, hour=9: datetime(2023, 6, day, hour, 30, tzinfo=CHINA)
    write_eml(
        raw / "随县.eml",
        mail(
            "随县科经局 <sx@example.cn>",
            "科技活动周统计表",
            june(4),
            [("统计表.xlsx", form_bytes, XLSX), ("smime.p7s", b"sig", "application/pkcs7-signature")],
            inline_image=PNG,
        ),
    )
    # the unit is named only by the sender's display name
    write_eml(
        raw / "来信.eml", mail("广水市科经局 <gs@example.cn>", "报送", june(5), [("附件1.xlsx", form_bytes, XLSX)])
    )
    # ... or only by the subject
    write_eml(
        raw / "来信2.eml",
        mail("办公室 <o@example.cn>", "曾都区科技活动周统计表", june(6), [("表.xlsx", form_bytes, XLSX)]),
    )
    gbk = base64.b64encode("高新区统计表.xlsx".encode("gbk")).decode()
    raw_gbk = "市气象局统计表.xlsx".encode("gbk")
    (raw / "gbk.eml").write_bytes(
        with_raw_name(
            mail("a <a@example.cn>", "统计表", june(7), [("X.xlsx", form_bytes, XLSX)]),
            "X.xlsx",
            f'attachment; filename="=?GBK?B?{gbk}?="'.encode(),
        )
    )
    (raw / "raw.eml").write_bytes(
        with_raw_name(
            mail("b <b@example.cn>", "统计表", june(7), [("Y.xlsx", form_bytes, XLSX)]),
            "Y.xlsx",
            b'attachment; filename="' + raw_gbk + b'"',
        )
    )
    (raw / "bad_name.eml").write_bytes(
        with_raw_name(
            mail("c <c@example.cn>", "统计表", june(7), [("Z.xlsx", form_bytes, XLSX)]),
            "Z.xlsx",
            b'attachment; filename="=?X-UNKNOWN?B?AAAA?="',
        )
    )
    gb18030 = base64.b64encode("报表䶮.xlsx".encode("gb18030")).decode()  # 䶮 is outside GBK
    (raw / "gb18030.eml").write_bytes(
        with_raw_name(
            mail("d <d@example.cn>", "表", june(7), [("W.xlsx", form_bytes, XLSX)]),
            "W.xlsx",
            f'attachment; filename="=?GB18030?B?{gb18030}?="'.encode(),
        )
    )
    pct = "".join(f"%{b:02X}" for b in "科技周报表.xlsx".encode("gbk"))
    (raw / "rfc2231.eml").write_bytes(
        with_raw_name(
            mail("e <e@example.cn>", "表", june(7), [("V.xlsx", form_bytes, XLSX)]),
            "V.xlsx",
            f"attachment; filename*=gbk''{pct}".encode(),
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("随州职院/统计表.xlsx", form_bytes)
    inner = mail("市农科院 <n@example.cn>", "统计表", june(2), [("农科院.xlsx", form_bytes, XLSX)])
    write_eml(raw / "转发.eml", forwarded("转发人 <f@example.cn>", "Fw: 统计表", june(8), inner))
    write_eml(
        raw / "压缩包.eml",
        mail("职院 <z@example.cn>", "材料", june(3), [("材料.zip", buffer.getvalue(), "application/zip")]),
    )
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr(
            "来信/某单位.eml", bytes(mail("某单位 <m@example.cn>", "表", june(3), [("报表.xlsx", form_bytes, XLSX)]))
        )
    (raw / "邮件包.zip").write_bytes(packed.getvalue())
    write_eml(raw / "空.eml", mail("张三 <zs@example.cn>", "请查收", june(9), []))
    no_date = mail("市教育局 <j@example.cn>", "统计表", None, [("教育局.xlsx", form_bytes, XLSX)])
    no_date["Received"] = "from mx.example.cn by mail.example.gov.cn; Sat, 10 Jun 2023 08:00:00 +0800"
    no_date["Received"] = "from pc by mx.example.cn; Fri, 09 Jun 2023 23:59:00 +0800"
    write_eml(raw / "无日期.eml", no_date)
    write_mbox(
        raw / "收件箱.mbox",
        [
            mail("市卫健委 <w@example.cn>", "统计表", june(1), [("卫健委.xlsx", form_bytes, XLSX)]),
            mail("市文旅局 <l@example.cn>", "统计表", june(2), [("文旅局.xlsx", form_bytes, XLSX)]),
        ],
    )
    inner = msg_nodes("大洪山管委会", "d@example.cn", "统计表", june(1), [("报表.xlsx", form_bytes)], header=24)
    (raw / "Outlook.msg").write_bytes(
        write_msg(
            "随州市科协",
            "k@example.cn",
            "科技活动周统计表",
            june(5, 10),
            [("统计表.xlsx", form_bytes), ("image001.png", PNG)],
            [inner],
            hidden=("image001.png",),
        )
    )
    (raw / "坏.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (raw / "坏.eml").write_bytes(b"\x00\x01\x02 not a mail \xff\xfe" * 50)
    return ingest_folder(raw)


def test_attachment_is_a_return_named_under_the_mail(mails):
    row = return_of(mails, "随县.eml/统计表.xlsx")
    assert row["unit"] == "随县" and numbers(row) == EXPECTED
    assert file_row(mails, "随县.eml")["kind"] == "other"
    listed = mails.files["source_file"][mails.files["source_file"].str.startswith("随县.eml")].tolist()
    assert listed == ["随县.eml", "随县.eml/统计表.xlsx"]  # the inline image and the signature are not returns
    assert issues_of(mails, "随县.eml").empty


def test_unit_from_sender_or_subject(mails):
    assert return_of(mails, "来信.eml/附件1.xlsx")["unit"] == "广水市"
    assert return_of(mails, "来信2.eml/表.xlsx")["unit"] == "曾都区"


def test_names_decoded_from_gbk(mails):
    assert return_of(mails, "gbk.eml/高新区统计表.xlsx")["unit"] == "随州高新区"
    assert return_of(mails, "raw.eml/市气象局统计表.xlsx")["unit"] == "市气象局"


def test_names_decoded_from_gb18030_and_rfc2231(mails):
    assert file_row(mails, "gb18030.eml/报表䶮.xlsx")["kind"] == "form"
    assert file_row(mails, "rfc2231.eml/科技周报表.xlsx")["kind"] == "form"


def test_undecodable_name_is_a_located_issue(mails):
    found = issues_of(mails, "bad_name.eml", "mail_attachment_name")
    assert found["message"].tolist() == [
        "邮件（发件人“c”，主题“统计表”）中“附件1.xlsx”的文件名无法解码，请核实该附件。"
    ]
    assert file_row(mails, "bad_name.eml/附件1.xlsx")["kind"] == "form"


def test_forwarded_and_archived_attachments(mails):
    row = return_of(mails, "转发.eml/转发邮件1/农科院.xlsx")
    assert row["unit"] == "市农业科学院"
    assert return_of(mails, "压缩包.eml/材料.zip/随州职院/统计表.xlsx")["unit"] == "随州职业技术学院"
    assert file_row(mails, "压缩包.eml/材料.zip/随州职院/统计表.xlsx")["received"] == "2023-06-03"


def test_mail_inside_an_archive(mails):
    row = file_row(mails, "邮件包.zip/来信/某单位.eml/报表.xlsx")
    assert (row["kind"], row["received"]) == ("form", "2023-06-03")


def test_mbox_messages(mails):
    assert return_of(mails, "收件箱.mbox/第1封/卫健委.xlsx")["unit"] == "市卫健委"
    assert return_of(mails, "收件箱.mbox/第2封/文旅局.xlsx")["unit"] == "市文化和旅游局"
    row = file_row(mails, "收件箱.mbox/第2封")
    assert (row["received"], row["received_from"]) == ("2023-06-02", "邮件发送时间（Date）")


def test_received_from_date_or_latest_received(mails):
    row = file_row(mails, "随县.eml/统计表.xlsx")
    assert (row["received"], row["received_from"]) == ("2023-06-04", "邮件发送时间（Date）")
    row = file_row(mails, "无日期.eml/教育局.xlsx")
    assert (row["received"], row["received_from"]) == ("2023-06-10", "邮件接收时间（Received）")


def test_mail_without_attachment_is_a_warning(mails):
    found = issues_of(mails, "空.eml", "mail_no_attachment")
    assert found["message"].tolist() == [
        "邮件“空.eml”（发件人“张三”，主题“请查收”）没有可用的附件（统计表、总结、照片或视频），"
        "未计入。请向发件单位索取附件。"
    ]
    assert found["severity"].tolist() == ["warning"]


def test_malformed_mail_is_one_issue(mails):
    found = issues_of(mails, "坏.eml")
    assert found[["severity", "code"]].values.tolist() == [["error", "mail_corrupt"]]


def test_outlook_msg(mails):
    row = return_of(mails, "Outlook.msg/统计表.xlsx")
    assert row["unit"] == "市科协" and numbers(row) == EXPECTED
    row = file_row(mails, "Outlook.msg/统计表.xlsx")
    assert (row["received"], row["received_from"]) == ("2023-06-05", "邮件发送时间（Date）")
    assert return_of(mails, "Outlook.msg/转发邮件1/报表.xlsx")["unit"] == "大洪山风景名胜区"
    listed = mails.files["source_file"][mails.files["source_file"].str.startswith("Outlook.msg")].tolist()
    assert listed == [
        "Outlook.msg",
        "Outlook.msg/统计表.xlsx",
        "Outlook.msg/转发邮件1",
        "Outlook.msg/转发邮件1/报表.xlsx",
    ]


def test_broken_msg_is_one_issue(mails):
    assert issues_of(mails, "坏.msg")[["severity", "code"]].values.tolist() == [["error", "mail_corrupt"]]
