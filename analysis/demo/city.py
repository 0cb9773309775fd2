"""The fictional city: its demo years, the week's dates, where units keep their files, and every unit's true
figures (seeded, believable sizes and trends)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from analysis import form
from analysis.intake.units import Unit

DEMO_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024)
DEFAULT_SEED = 20230520

# The week's window and the return deadline the demo received dates are built
# around; data/reference/weeks.csv must agree for the demo years.
DEMO_WEEKS: dict[int, tuple[dt.date, dt.date, dt.date]] = {
    2021: (dt.date(2021, 5, 22), dt.date(2021, 5, 29), dt.date(2021, 6, 4)),
    2022: (dt.date(2022, 8, 20), dt.date(2022, 8, 27), dt.date(2022, 9, 2)),
    2023: (dt.date(2023, 5, 20), dt.date(2023, 5, 31), dt.date(2023, 6, 3)),
    2024: (dt.date(2024, 5, 25), dt.date(2024, 6, 1), dt.date(2024, 6, 7)),
}
THEMES = {
    2021: "百年回望：中国共产党领导科技发展",
    2022: "走进科技，你我同行",
    2023: "热爱科学 崇尚科学",
    2024: "科技创新 引领未来",
}

# Folder a unit puts its files in (default: its canonical name); these units send one flat file instead.
FOLDERS = {
    "随州高新区": "高新区",
    "大洪山风景名胜区": "大洪山风景区",
    "市自然资源和规划局": "市自然资源局",
    "市文化和旅游局": "市文旅局",
    "随州职业技术学院": "随州职院",
    "市农业科学院": "市农科院",
}
FLAT = frozenset({"市气象局", "市地震局", "市应急管理局", "市生态环境局"})
# Size relative to a typical county; departments, the college and the institute default by kind.
SCALE = {"曾都区": 1.3, "随县": 1.1, "广水市": 1.2, "随州高新区": 0.55, "大洪山风景名胜区": 0.4}
KIND_SCALE = {
    "county": (0.5, 1.0),
    "department": (0.14, 0.3),
    "college": (0.2, 0.25),
    "institute": (0.1, 0.15),
    "other": (0.1, 0.2),
}
VERTICAL = frozenset({"市气象局", "市地震局"})  # vertically managed: some central funding
VENUES = {"市科协": 2, "市气象局": 1, "市地震局": 1, "市文化和旅游局": 2, "市教育局": 1, "随州职业技术学院": 1}
INSTITUTES = {"市农业农村局": 1, "市农业科学院": 1}
UNIVERSITIES = {"曾都区": 1, "随州职业技术学院": 1}
# A real change from that year on: 高新区 opened a science hall, the museum of 文旅局 closed for repairs.
SHIFTS = {"随州高新区": (2023, 2.2), "市文化和旅游局": (2024, 0.4)}
EVENTS_TREND = {2021: 1.0, 2022: 0.9, 2023: 1.1, 2024: 1.15}
OFFLINE_TREND = {2021: 1.0, 2022: 0.85, 2023: 1.15, 2024: 1.25}
ONLINE_TREND = {2021: 1.0, 2022: 2.6, 2023: 3.6, 2024: 4.6}
# Per-county-scale levels of one week in 2021.
LEVELS = {
    "events_held": 55,
    "staff_fulltime": 18,
    "staff_scientists": 55,
    "staff_volunteers": 140,
    "staff_other": 35,
    "public_offline": 24000,
    "public_online": 16000,
}
# Funding sources by kind: key -> (probability the unit uses it, low, high) in 万元.
FUNDING = {
    "county": {
        "funding_central": (0.4, 1, 5),
        "funding_provincial": (1, 3, 10),
        "funding_municipal": (1, 2, 8),
        "funding_county": (1, 10, 28),
        "funding_enterprise": (0.7, 1, 6),
        "funding_in_kind": (0.6, 0.5, 3),
        "funding_other": (0.4, 0.3, 2),
    },
    "department": {
        "funding_provincial": (0.4, 0.5, 3),
        "funding_municipal": (1, 1, 5),
        "funding_enterprise": (0.35, 0.3, 1.5),
        "funding_in_kind": (0.5, 0.2, 1.2),
        "funding_other": (0.3, 0.2, 1),
    },
    "college": {
        "funding_provincial": (0.5, 0.5, 2),
        "funding_municipal": (1, 0.5, 1.5),
        "funding_enterprise": (0.5, 0.3, 1),
        "funding_in_kind": (1, 0.2, 1),
        "funding_other": (1, 1, 3),
    },
    "institute": {
        "funding_central": (0.5, 0.5, 2),
        "funding_provincial": (1, 1, 3),
        "funding_municipal": (1, 0.5, 2),
        "funding_in_kind": (1, 0.2, 1),
        "funding_other": (0.3, 0.2, 1),
    },
}
FUNDING["other"] = FUNDING["department"]

Values = dict[str, float]


def _baseline(unit: Unit, rng: np.random.Generator) -> dict[str, float]:
    """A unit's 2021 level for every field (before year effects), drawn once."""
    low, high = KIND_SCALE.get(unit.kind, KIND_SCALE["other"])
    scale = SCALE.get(unit.name, float(rng.uniform(low, high)))
    base: dict[str, float] = {k: LEVELS[k] * scale * float(rng.uniform(0.85, 1.15)) for k in LEVELS}
    for key in form.MONEY_KEYS:
        p, lo, hi = FUNDING.get(unit.kind, FUNDING["other"]).get(key, (0, 0, 0))
        if key == "funding_central" and unit.name in VERTICAL:
            p, lo, hi = 1, 0.5, 2.5
        used = rng.random() < p
        base[key] = float(rng.uniform(lo, hi)) * (scale if unit.kind == "county" else 1.0) if used else 0.0
    county = unit.kind == "county"
    base["money_digits"] = float(rng.choice([1, 2], p=[0.7, 0.3]))
    base["most_tasks"] = float(rng.integers(1, 6) if county else rng.integers(0, 3))
    base["media_outlets"] = float(round(3 + 7 * scale) if county else rng.integers(1, 5))
    base["open_venues"] = float(rng.integers(1, 7) if county else VENUES.get(unit.name, 0))
    base["open_institutes"] = float(rng.integers(0, 3) if county else INSTITUTES.get(unit.name, 0))
    base["open_universities"] = float(UNIVERSITIES.get(unit.name, 0))
    return base


def true_values(units: Sequence[Unit], year: int, seed: int = DEFAULT_SEED) -> dict[str, Values]:
    """Every unit's true figures for ``year``: money in 万元 (float), counts as whole numbers."""
    base_rng = np.random.default_rng([seed, 0])
    bases = {u.name: _baseline(u, base_rng) for u in units}
    rng = np.random.default_rng([seed, year, 1])
    out: dict[str, Values] = {}
    for unit in units:
        base = bases[unit.name]
        since, factor = SHIFTS.get(unit.name, (9999, 1.0))
        level = 1.06 ** (year - DEMO_YEARS[0]) * float(rng.lognormal(0, 0.06)) * (factor if year >= since else 1.0)

        def noisy(x: float, level: float = level) -> float:
            return x * level * float(rng.lognormal(0, 0.07))

        v: Values = {"events_held": max(2, round(noisy(base["events_held"]) * EVENTS_TREND[year]))}
        v["most_tasks"] = min(v["events_held"], base["most_tasks"])
        for key in form.MONEY_KEYS:
            v[key] = min(48.0, round(noisy(base[key]), int(base["money_digits"]))) if base[key] else 0.0
        for key in form.STAFF_KEYS:
            v[key] = max(1, round(noisy(base[key])))
        v["public_offline"] = round(noisy(base["public_offline"]) * OFFLINE_TREND[year])
        v["public_online"] = round(noisy(base["public_online"]) * ONLINE_TREND[year])
        v["media_outlets"] = max(1, base["media_outlets"] + int(rng.integers(-1, 2)))
        v["media_reports"] = max(2, round(v["media_outlets"] * float(rng.uniform(2, 4))))
        jitter = int(rng.integers(-1, 2)) if unit.kind == "county" else 0
        v["open_venues"] = max(0, base["open_venues"] + jitter)
        v["open_institutes"] = base["open_institutes"]
        v["open_universities"] = base["open_universities"]
        out[unit.name] = {k: (float(v[k]) if k in form.MONEY_KEYS else int(v[k])) for k in form.FIELD_KEYS}
    return out
