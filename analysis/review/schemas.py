"""Schema checks of the processed tables (docs/contracts.md) with pandera.

:func:`validate_processed` validates ``returns``, ``values``, ``issues`` and ``files``
lazily and turns every failure into an ``Issue`` row (code ``schema_violation``),
never an exception, so a broken table is reported beside the data's own findings.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd
import pandera.pandas as pa

from analysis.form import CURRENT, SUBTOTAL_PREFIX, Form, form_for
from analysis.intake.records import FILE_KINDS, FILE_STATUSES
from analysis.intake.units import KINDS
from analysis.issues import SEVERITIES, STATUSES, Issue
from analysis.review.ledger import CORRECTED_STATUS

VALUE_STATUSES: tuple[str, ...] = ("accepted", "superseded", "stamped", CORRECTED_STATUS)
MAX_EXAMPLES = 3


def _numbers(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _numeric(s: pd.Series) -> pd.Series:
    return s.isna() | _numbers(s).notna()


def _non_negative(s: pd.Series) -> pd.Series:
    n = _numbers(s)
    return n.isna() | (n >= 0)


def _integral(s: pd.Series) -> pd.Series:
    n = _numbers(s).astype("float64")
    return n.isna() | (n == n.round())


IS_NUMBER = pa.Check(_numeric, name="is_number", error="应为数值")
NON_NEGATIVE = pa.Check(_non_negative, name="non_negative", error="不能为负数")
IS_INTEGER = pa.Check(_integral, name="is_integer", error="应为整数")


def _text_column(nullable: bool = True, *checks: pa.Check, unique: bool = False) -> pa.Column:
    return pa.Column(str, list(checks), nullable=nullable, unique=unique, coerce=True)


def _amount(integer: bool) -> pa.Column:
    checks = [IS_NUMBER, NON_NEGATIVE] + ([IS_INTEGER] if integer else [])
    return pa.Column(None, checks, nullable=True)


@lru_cache(maxsize=16)
def returns_schema(form: Form) -> pa.DataFrameSchema:
    """``returns`` of a year: one column per item of its form (an item it lacks was not asked: no column)."""
    return pa.DataFrameSchema(
        {
            "source_file": _text_column(False, unique=True),
            "unit": _text_column(False, unique=True),
            "unit_kind": _text_column(False, pa.Check.isin(KINDS)),
            **{k: _amount(k in form.count_keys) for k in form.keys},
        },
        name="returns",
    )


@lru_cache(maxsize=16)
def values_schema(form: Form) -> pa.DataFrameSchema:
    """``values`` of a year: ``field`` is an item of its form or a subtotal."""
    keys = list(form.keys)

    def known(s: pd.Series) -> pd.Series:
        text = s.astype(str)
        return text.isin(keys) | text.str.startswith(SUBTOTAL_PREFIX)

    return pa.DataFrameSchema(
        {
            "source_file": _text_column(False),
            "unit": _text_column(),
            "field": _text_column(False, pa.Check(known, name="known_field", error="应为表单项目")),
            "value": _amount(False),
            "raw_text": _text_column(),
            "sheet": _text_column(),
            "cell": _text_column(),
            "status": _text_column(False, pa.Check.isin(VALUE_STATUSES)),
            "note": _text_column(),
        },
        unique=["source_file", "field"],
        name="values",
    )


RETURNS_SCHEMA = returns_schema(CURRENT)
VALUES_SCHEMA = values_schema(CURRENT)

ISSUES_SCHEMA = pa.DataFrameSchema(
    {
        "severity": _text_column(False, pa.Check.isin(SEVERITIES)),
        "code": _text_column(False, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
        "source_file": _text_column(),
        "sheet": _text_column(),
        "cell": _text_column(),
        "field": _text_column(),
        "unit": _text_column(),
        "message": _text_column(False, pa.Check.str_length(min_value=1)),
        "status": _text_column(False, pa.Check.isin(STATUSES)),
    },
    name="issues",
)

FILES_SCHEMA = pa.DataFrameSchema(
    {
        "source_file": _text_column(False, unique=True),
        "kind": _text_column(False, pa.Check.isin(FILE_KINDS)),
        "status": _text_column(False, pa.Check.isin(FILE_STATUSES)),
        "unit": _text_column(),
        "sha256": _text_column(True, pa.Check.str_matches(r"^([0-9a-f]{64})?$")),  # empty: a link or device, not hashed
        "received": _text_column(True, pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
        "received_from": _text_column(),
    },
    name="files",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "returns": RETURNS_SCHEMA,
    "values": VALUES_SCHEMA,
    "issues": ISSUES_SCHEMA,
    "files": FILES_SCHEMA,
}


def schemas_for(form: Form) -> dict[str, pa.DataFrameSchema]:
    """The four schemas of a year whose form is ``form``."""
    return {**SCHEMAS, "returns": returns_schema(form), "values": values_schema(form)}


_CHECK_ZH = {
    "not_nullable": "不能为空",
    "field_uniqueness": "不能重复",
    "multiple_fields_uniqueness": "组合不能重复",
    "isin": "取值不在允许范围内",
    "str_matches": "格式不符",
    "str_length": "不能为空文本",
    "coerce_dtype": "类型无法转换",
    "dtype": "类型不符",
}


def _describe(check: str) -> str:
    """A pandera check name in Chinese; errors of our own checks are already Chinese."""
    name = check.split("(", 1)[0]
    return _CHECK_ZH.get(name, check)


def _only(frame: pd.DataFrame, rows: list[Any], column: str) -> str:
    """The value of ``column`` shared by all failing rows, else ''."""
    if column not in frame.columns or not rows:
        return ""
    found = {str(v) for v in frame.loc[frame.index.intersection(rows), column].dropna()}
    return found.pop() if len(found) == 1 else ""


def _failures(table: str, frame: pd.DataFrame, cases: pd.DataFrame, form: Form) -> list[Issue]:
    together = cases["check"].astype(str) == "multiple_fields_uniqueness"  # one finding for the column set
    joined = "、".join(dict.fromkeys(cases.loc[together, "column"]))
    cases = cases.assign(column=cases["column"].where(~together, joined))
    out = []
    for (column, check), group in cases.groupby(["column", "check"], sort=True, dropna=False):
        check = str(check)
        rows = [i for i in group["index"].tolist() if i is not None and not pd.isna(i)]
        if check == "column_in_dataframe":  # pandera puts the schema name in "column" and the column in the case
            what = f"缺少“{'、'.join(str(v) for v in group['failure_case'])}”列"
            column = ""
        else:
            column = "" if pd.isna(column) else str(column)
            shown = list(dict.fromkeys(str(v) for v in group["failure_case"] if not pd.isna(v)))[:MAX_EXAMPLES]
            example = f"，例如：{'、'.join(shown)}" if shown else ""
            count = len(set(rows)) or len(group)
            what = f"的“{column or '（整表）'}”列{_describe(check)}（共 {count} 处{example}）"
        out.append(
            Issue(
                "error",
                "schema_violation",
                f"处理结果表 {table}.csv {what}：这是处理程序或数据整理的问题，请把本条转给维护人员。",
                source_file=_only(frame, rows, "source_file"),
                field=column if form.asks(column) else "",
                unit=_only(frame, rows, "unit"),
            )
        )
    return out


def validate_table(table: str, frame: pd.DataFrame, form: Form = CURRENT) -> list[Issue]:
    """Validate one processed table by name (returns/values/issues/files) of a year with ``form``; failures as
    issues."""
    try:
        schemas_for(form)[table].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return _failures(table, frame, err.failure_cases, form)
    return []


def validate_processed(result: Any) -> list[Issue]:
    """Validate the tables of an ingest result (any object with ``returns/values/issues/files`` and ``meta``),
    against the form of its year."""
    form = form_for((getattr(result, "meta", None) or {}).get("year"))
    return [
        issue
        for table in SCHEMAS
        if (frame := getattr(result, table, None)) is not None
        for issue in validate_table(table, frame, form)
    ]
