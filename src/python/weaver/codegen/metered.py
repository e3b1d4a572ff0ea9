"""The metered half of `weaver_gen.py`: stubs and handlers that record call metrics.

Each component gets, beside the plain local stub, client stub and handlers, a metered twin and
a factory that picks one when the stub is created (`weaver.metrics` on or off), so the per-call
code never tests a switch. A metered stub resolves its `CallSlot`s in `__init__`; a call then
costs a few integer adds; 1 in `mask + 1` calls also reads the clock twice. Local names in the emitted
code start with `_w` so they cannot shadow a method's parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from weaver.codegen.model import Interface, Method
from weaver.internal.keys import method_key

if TYPE_CHECKING:
    from weaver.codegen.emit import PackageEmitter


def _timed(*body: str) -> str:
    """Count the call; run `body`, reading the clock around it for 1 in `mask + 1` calls only.

    The body is written twice (untimed, timed) so that an untimed call costs one branch.
    """
    lines = "".join(f"                {line}\n" for line in body)
    return (
        "        _wn = _ws.calls = _ws.calls + 1\n"
        "        _wt = 0\n"
        "        try:\n"
        "            if _wn & _ws.mask:\n"
        f"{lines}"
        "            else:\n"
        "                _wt = _now()\n"
        f"{lines}"
        "                _ws.observe(_now() - _wt)\n"
        "        except BaseException as _we:\n"
        "            _call_failed(_ws, _we, _wt, len(payload))\n"
        "            raise\n"
    )


_BYTES = "        _ws.request_bytes += len(payload)\n        _ws.reply_bytes += len({reply})\n"


def _passing(m: Method) -> str:
    return ", ".join(f"{a.name}={a.name}" if a.kwonly else a.name for a in m.params)


def _slots(iface: Interface, remote: bool, caller: str, side: str = "") -> str:
    extra = f", {side!r}" if side else ""
    return "".join(
        f"        self._ws{i} = _call_slot({caller}, {iface.name!r}, {m.name!r}, {remote}{extra})\n"
        for i, m in enumerate(iface.methods)
    )


def local_stub(e: PackageEmitter, p: str, iface: Interface) -> str:
    """Co-located calls: count each call, time 1 in `local_sample` (returns the awaitable)."""
    names = ("_wimpl", *(f"_ws{i}" for i in range(len(iface.methods))))
    out = [
        f"\n\nclass {p}_local_metered:\n"
        f'    """Co-located calls with metrics: every call counted, a sample timed."""\n\n'
        f"    __slots__ = {names!r}\n\n"
        f"    def __init__(self, impl, caller):\n        self._wimpl = impl\n"
        + _slots(iface, False, "caller")
    ]
    for i, m in enumerate(iface.methods):
        out.append(
            f"\n    def {m.name}(self{e._signature(iface, m)}):\n"
            f"        _ws = self._ws{i}\n"
            f"        _wn = _ws.calls = _ws.calls + 1\n"
            f"        if _wn & _ws.mask:\n"
            f"            return self._wimpl.{m.name}({_passing(m)})\n"
            f"        return _sampled(_ws, self._wimpl.{m.name}({_passing(m)}))\n"
        )
    out.append(
        f"\n\ndef {p}_local_stub(impl, caller=''):\n"
        f"    return {p}_local_metered(impl, caller) if _metrics_enabled(True) else {p}_local(impl)\n"
    )
    return "".join(out)


def client_stub(e: PackageEmitter, p: str, iface: Interface) -> str:
    """Remote calls, caller's side: calls, errors by kind, latency, request and reply bytes."""
    names = ("_caller", *(f"_ws{i}" for i in range(len(iface.methods))))
    out = [
        f"\n\nclass {p}_client_metered:\n"
        f'    """Remote calls with metrics (the caller\'s side)."""\n\n'
        f"    __slots__ = {names!r}\n\n"
        f"    def __init__(self, caller, name):\n        self._caller = caller\n"
        + _slots(iface, True, "name")
    ]
    for i, m in enumerate(iface.methods):
        key = method_key(iface.name, m.name)
        args = ", ".join(a.name for a in m.params)
        shard = f"_shard_hash({m.routed_by})" if m.routed_by else "None"
        out.append(
            f"\n    async def {m.name}(self{e._signature(iface, m)}) -> {e._ann(iface, m.returns)}:\n"
            f"        payload = _encode({p}_{m.name}_args({args}))\n"
            f"        _ws = self._ws{i}\n"
            + _timed(f"reply = await self._caller.call({key}, payload, {m.retriable}, {shard})")
            + _BYTES.format(reply="reply")
            + f"        return {p}_{m.name}_result_decoder.decode(reply)\n"
        )
    out.append(
        f"\n\ndef {p}_client_stub(caller, name=''):\n"
        f"    return {p}_client_metered(caller, name) if _metrics_enabled() else {p}_client(caller)\n"
    )
    return "".join(out)


def handlers(e: PackageEmitter, p: str, iface: Interface) -> str:
    """Remote calls, callee's side: calls, errors and latency as the server saw them (caller unknown).

    Bytes are the caller side's alone: they are the same payloads, so counting them twice would
    only cost time.
    """
    out = [
        f"\n\ndef {p}_handlers_metered(impl):\n"
        f'    """Server side with metrics: decode, call the implementation, encode, record."""\n'
    ]
    for i, m in enumerate(iface.methods):
        call = ", ".join(f"{a.name}=a.{a.name}" if a.kwonly else f"a.{a.name}" for a in m.params)
        out.append(
            f"    _ws{i} = _call_slot('', {iface.name!r}, {m.name!r}, True, 'callee')\n"
            f"\n    async def {m.name}(payload: bytes) -> bytes:\n"
            f"        _ws = _ws{i}\n"
            + _timed(f"a = {p}_{m.name}_args_decoder.decode(payload)", f"_wr = _encode(await impl.{m.name}({call}))")
            + "        return _wr\n\n"
        )
    entries = "".join(f"{method_key(iface.name, m.name)}: {m.name}, " for m in iface.methods)
    out.append(f"    return {{{entries}}}\n")
    out.append(
        f"\n\ndef {p}_handlers(impl):\n"
        f"    return {p}_handlers_metered(impl) if _metrics_enabled() else {p}_handlers_plain(impl)\n"
    )
    return "".join(out)
