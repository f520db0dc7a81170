"""The API worker's process settings (api.app.settle_worker)."""

from __future__ import annotations

import gc
import sys

from tradecredit.api.app import SWITCH_INTERVAL_SECONDS, settle_worker


def test_a_settled_worker_has_frozen_its_objects_and_a_short_switch_interval() -> None:
    previous = sys.getswitchinterval()
    try:
        settle_worker()
        assert gc.get_freeze_count() > 10_000
        assert sys.getswitchinterval() == SWITCH_INTERVAL_SECONDS
    finally:
        gc.unfreeze()
        sys.setswitchinterval(previous)
