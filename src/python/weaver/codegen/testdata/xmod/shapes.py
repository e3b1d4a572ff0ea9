import dataclasses
import socket

import msgspec


class Point(msgspec.Struct, array_like=True):
    x: int
    y: int


@dataclasses.dataclass
class Box:
    corners: list[Point]


class Conn(msgspec.Struct):
    sock: socket.socket
