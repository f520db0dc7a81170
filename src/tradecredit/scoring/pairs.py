"""Pair screening for pairwise-interaction members (GA2M): which feature pairs may interact.

A screening booster is trained on the training rows with every pair allowed (each tree on at most
two features); a pair's strength is the total split gain of the trees that used exactly that pair.
The member then trains with every single feature plus the `k` strongest pairs as LightGBM
interaction groups. Only training rows are seen, so an outer evaluation measures the screening too.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

import lightgbm as lgb


def all_pairs(features: int) -> list[list[int]]:
    return [list(pair) for pair in combinations(range(features), 2)]


def singles(features: int) -> list[list[int]]:
    return [[index] for index in range(features)]


def _tree_split(node: dict[str, Any], used: set[int]) -> float:
    """The features a tree splits on (into `used`) and its total split gain."""
    if "split_feature" not in node:
        return 0.0
    used.add(int(node["split_feature"]))
    gain = float(node["split_gain"])
    return gain + _tree_split(node["left_child"], used) + _tree_split(node["right_child"], used)


def pair_gains(booster: lgb.Booster) -> dict[tuple[int, int], float]:
    """Total split gain per feature pair, over the trees that split on exactly that pair."""
    gains: defaultdict[tuple[int, int], float] = defaultdict(float)
    for tree in booster.dump_model()["tree_info"]:
        used: set[int] = set()
        gain = _tree_split(tree["tree_structure"], used)
        if len(used) == 2:
            first, second = sorted(used)
            gains[(first, second)] += gain
    return dict(gains)


def strongest_pairs(booster: lgb.Booster, k: int) -> list[list[int]]:
    """The `k` pairs with the largest gain, strongest first (ties in feature order)."""
    ranked = sorted(pair_gains(booster).items(), key=lambda item: (-item[1], item[0]))
    return [list(pair) for pair, _ in ranked[:k]]


def interaction_groups(features: int, pairs: list[list[int]]) -> list[list[int]]:
    """Every feature on its own, plus the chosen pairs."""
    return singles(features) + [list(pair) for pair in pairs]
