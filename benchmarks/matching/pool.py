"""Synthetic nomad profiles built from ESCO occupations by a seeded, documented procedure.

For each occupation, ``per_occupation`` nomads. Each nomad:
- holds each essential skill with probability 0.7 and each optional skill with 0.3, plus two
  skills drawn from all skills at random (noise);
- at a national level drawn from 5 (entry) … 1 (expert) with weights 15/30/30/17/8 %, with
  evidence self-declared 60 %, certified 25 %, verified 15 %, between 0 and 6 years old;
- has a headline: the occupation's title (40 %), one of its alternative titles (40 %) or none;
- speaks Chinese (native) and English at a random level; 10 % are unavailable;
- lives in one of five places and has a day rate between 300 and 3,000 CNY.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.matching.data import EscoOccupation
from nomadcloud.matching.engine.model import Holding, ProfileFeatures

LEVELS = (5, 4, 3, 2, 1)
LEVEL_WEIGHTS = (15, 30, 30, 17, 8)
EVIDENCE = ("self", "certified", "verified")
EVIDENCE_WEIGHTS = (60, 25, 15)
PLACES = ("儋州", "洋浦", "海口", "三亚", "Lisbon")


@dataclass(frozen=True)
class Nomad:
    features: ProfileFeatures
    occupation: int  # index of the occupation it was built from
    skill_labels: tuple[str, ...]


def build(
    occupations: list[EscoOccupation],
    skill_id: dict[str, int],
    per_occupation: int = 4,
    seed: int = 2026,
    start_key: int = 0,
) -> list[Nomad]:
    rng = random.Random(seed)
    labels = sorted(skill_id)
    nomads = []
    key = start_key
    for index, occupation in enumerate(occupations):
        for _ in range(per_occupation):
            chosen = [s for s in occupation.essential if rng.random() < 0.7]
            chosen += [s for s in occupation.optional if rng.random() < 0.3]
            chosen += rng.sample(labels, 2)
            chosen = list(dict.fromkeys(chosen))
            holdings = tuple(
                Holding(
                    skill_id[label],
                    rng.choices(LEVELS, LEVEL_WEIGHTS)[0],
                    rng.choices(EVIDENCE, EVIDENCE_WEIGHTS)[0],
                    rng.randint(0, 6 * 365),
                )
                for label in chosen
            )
            roll = rng.random()
            if roll < 0.4:
                headline = occupation.title
            elif roll < 0.8 and occupation.alternative_titles:
                headline = rng.choice(occupation.alternative_titles)
            else:
                headline = ""
            nomads.append(
                Nomad(
                    ProfileFeatures(
                        key=key,
                        skills=holdings,
                        languages={"zh": 7, "en": rng.randint(1, 6)},
                        availability=2 if rng.random() < 0.1 else rng.choice((0, 1)),
                        location=rng.choice(PLACES),
                        rate_per_day=float(rng.randint(300, 3000)),
                        certified=rng.random() < 0.3,
                        text=headline,
                    ),
                    index,
                    tuple(chosen),
                )
            )
            key += 1
    return nomads
