import weaver
from weaver.codegen.testdata.xmod import shapes
from weaver.codegen.testdata.xmod.shapes import Box, Conn, Point


class Geometry(weaver.Component):
    async def area(self, box: Box) -> float: ...
    async def move(self, p: shapes.Point, by: "Point") -> Point: ...
    async def connect(self, c: Conn) -> None: ...


class GeometryImpl(weaver.Implements[Geometry]):
    async def area(self, box: Box) -> float:
        return 0.0

    async def move(self, p: Point, by: Point) -> Point:
        return Point(p.x + by.x, p.y + by.y)

    async def connect(self, c: Conn) -> None: ...

# ERROR: api.py:9: method Geometry.connect: parameter 'c' has a type that cannot be serialized: field sock of Conn (
# ERROR: shapes.py:18): socket.socket (socket.socket) is not a type msgspec can encode
