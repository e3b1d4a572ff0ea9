"""The user API: values, label checks, and clear errors on bad use."""

from __future__ import annotations

import dataclasses

import msgspec
import pytest

from weaver.metrics import Counter, CounterMap, Gauge, GaugeMap, Histogram, HistogramMap
from weaver.metrics.registry import Registry


@dataclasses.dataclass(frozen=True)
class Code:
    code: str


class Route(msgspec.Struct, frozen=True):
    path: str
    method: str


def test_counter_gauge_histogram_values() -> None:
    reg = Registry()
    c = Counter("c", "a counter", registry=reg)
    g = Gauge("g", "a gauge", registry=reg)
    h = Histogram("h", "a histogram", bounds=[1, 2], registry=reg)
    c.add()
    c.add(2.5)
    g.set(4)
    g.add(-1)
    for v in (0.5, 1, 1.5, 3):
        h.put(v)
    snaps = {s.name: s for s in reg.snapshot()}
    assert snaps["c"].series[0].value == 3.5
    assert snaps["g"].series[0].value == 3
    hs = snaps["h"].series[0]
    assert hs.buckets == (2, 1, 1)  # <=1: 0.5 and 1; <=2: 1.5; +Inf: 3
    assert hs.total == 4 and hs.value == 6.0
    assert snaps["h"].bounds == (1.0, 2.0)


def test_maps_keep_one_child_per_label_value() -> None:
    reg = Registry()
    cm = CounterMap("codes", "by code", Code, registry=reg)
    gm = GaugeMap("routes", "by route", Route, registry=reg)
    hm = HistogramMap("lat", "by code", Code, bounds=[1], registry=reg)
    cm.get(Code("200")).add()
    cm.get(Code("200")).add()
    cm.get(Code("500")).add()
    gm.get(Route("/", "GET")).set(7)
    hm.get(Code("200")).put(5)
    snaps = {s.name: s for s in reg.snapshot()}
    assert snaps["codes"].label_names == ("code",)
    assert {s.labels: s.value for s in snaps["codes"].series} == {("200",): 2, ("500",): 1}
    assert snaps["routes"].series[0].labels == ("/", "GET")
    assert snaps["lat"].series[0].buckets == (0, 1)


def test_bad_use_is_a_clear_error() -> None:
    reg = Registry()
    c = Counter("ok", "x", registry=reg)
    with pytest.raises(ValueError, match="counter add must be >= 0"):
        c.add(-1)
    with pytest.raises(ValueError, match="declared twice"):
        Counter("ok", "again", registry=reg)
    with pytest.raises(ValueError, match="metric name 'bad-name'"):
        Counter("bad-name", "x", registry=reg)
    cm = CounterMap("m", "x", Code, registry=reg)
    with pytest.raises(TypeError, match="labels must be Code, got Route"):
        cm.get(Route("/", "GET"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="strictly increasing"):
        Histogram("h", "x", bounds=[2, 1], registry=reg)
    with pytest.raises(ValueError, match="NaN"):
        Histogram("h2", "x", registry=reg).put(float("nan"))


@dataclasses.dataclass
class Mutable:
    code: str


@dataclasses.dataclass(frozen=True)
class NotStr:
    code: int


@dataclasses.dataclass(frozen=True)
class Reserved:
    le: str


@pytest.mark.parametrize(
    ("labels", "error", "match"),
    [
        (Mutable, TypeError, "must be frozen"),
        (NotStr, TypeError, "field 'code' must be annotated `str`"),
        (Reserved, ValueError, "field 'le' is not allowed"),
        (dict, TypeError, "frozen dataclass or frozen msgspec.Struct"),
    ],
)
def test_bad_label_types_fail_at_declaration(labels: type, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        CounterMap("m", "x", labels, registry=Registry())
