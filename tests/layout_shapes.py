"""Random statements of the shapes the client templates emit, at every length, for comparing
the layout filter with black (``tests/test_layout.py``). Each comes with its indentation
depth and how to embed it in a module black can format."""

from __future__ import annotations

import random
import string

NAME_CHARS = string.ascii_lowercase + "_0123456789"


def _name(r: random.Random, lo: int = 1, hi: int = 40) -> str:
    return r.choice("abcxyz_") + "".join(r.choice(NAME_CHARS) for _ in range(r.randint(lo, hi) - 1))


def _string(r: random.Random) -> str:
    return repr("".join(r.choice(string.ascii_letters + " /{}_-.'\"\\") for _ in range(r.randint(0, 40))))


def _type(r: random.Random, depth: int = 0) -> str:
    k = r.random()
    if depth > 2 or k < 0.35:
        return r.choice(["int", "str", "Any", "None", "models." + _name(r, 3, 45).capitalize()])
    if k < 0.5:
        return f"list[{_type(r, depth + 1)}]"
    if k < 0.6:
        return f"dict[str, {_type(r, depth + 1)}]"
    if k < 0.75:
        return "Literal[" + ", ".join(_string(r) for _ in range(r.randint(1, 8))) + "]"
    return " | ".join(_type(r, depth + 1) for _ in range(r.randint(2, 4)))


def _expr(r: random.Random, depth: int = 0) -> str:
    k = r.random()
    if depth > 3 or k < 0.3:
        atoms = [_name(r), _string(r), str(r.randint(0, 99)), "True", "lambda: " + _type(r, 2), f"{_name(r)}={_name(r)}"]
        return r.choice(atoms)
    if k < 0.55:
        return _call(r, depth)
    if k < 0.65:
        return f"{_name(r, 1, 12)}={_expr(r, depth + 1)}"
    if k < 0.75:
        items = [_expr(r, depth + 1) for _ in range(r.randint(1, 4))]
        return "(" + ", ".join(items) + (", " if len(items) == 1 else r.choice(["", ",", ", "])) + ")"
    if k < 0.82:
        return "{" + "".join(f"{_string(r)}: {_name(r)}, " for _ in range(r.randint(0, 3))) + "}"
    if k < 0.88:
        return f"{_name(r, 1, 8)}=None if {_name(r)} is None else {_call(r, depth + 1)}"
    if k < 0.93:
        return "lambda: " + _type(r)
    return "[" + ", ".join(_expr(r, depth + 1) for _ in range(r.randint(1, 4))) + r.choice(["", ",", ", "]) + "]"


def _args(r: random.Random, depth: int) -> str:
    items = [_expr(r, depth + 1) for _ in range(r.randint(0, 6))]
    return ", ".join(items) + (r.choice(["", "", ",", ", "]) if items else "")


def _call(r: random.Random, depth: int = 0) -> str:
    callee = r.choice([_name(r, 1, 30), "self._client._request", "Content", "Reply"])
    return f"{callee}({_args(r, depth)})"


def _param(r: random.Random) -> str:
    k = r.random()
    if k < 0.2:
        return _name(r, 1, 20)
    if k < 0.6:
        return f"{_name(r, 1, 20)}: {_type(r)}"
    return f"{_name(r, 1, 20)}: {_type(r)} = {r.choice(['NOT_GIVEN', 'None', _string(r), '-1', '5'])}"


def statement(seed: int) -> tuple[int, str, str]:
    """(depth, one-line statement, kind): kind ``def``/``class`` (needs a body), ``inside``
    (an element with its comma, in an exploded dict), ``param`` (the same in a signature)
    or ``stmt``."""
    r = random.Random(seed)
    k = r.random()
    depth = r.choice([0, 1, 2, 2, 3])
    if k < 0.2:
        params = ["self"] + [_param(r) for _ in range(r.randint(0, 3))] + ["*"] + [_param(r) for _ in range(r.randint(1, 4))]
        keyword = r.choice(["def", "async def"])
        return depth, f"{keyword} {_name(r, 1, 40)}({', '.join(params)}) -> {_type(r)}:", "def"
    if k < 0.4:
        return depth, f"return {r.choice(['', 'await '])}{_call(r)}", "stmt"
    if k < 0.55:
        return depth, f"self.{_name(r, 1, 50)} = {_call(r)}", "stmt"
    if k < 0.7:
        return depth, f"{_name(r, 3, 40).upper()}: Endpoint[{_type(r)}] = Endpoint({_args(r, 0)})", "stmt"
    if k < 0.75:
        names = ", ".join(_name(r, 2, 25) for _ in range(r.randint(1, 6)))
        return depth, f"from {r.choice(['.', '._base_client', 'typing'])} import {names}", "stmt"
    if k < 0.8:
        return depth, f"class {_name(r, 1, 80)}({_name(r, 1, 30)}):", "class"
    if k < 0.85:
        return depth, "__all__ = [" + "".join(_string(r) + ", " for _ in range(r.randint(1, 5))) + "]", "stmt"
    if k < 0.92:
        call = f"{_name(r, 3, 10)}({_args(r, 2)})"
        return 4, f"{_string(r)}: None if {_name(r, 1, 40)} is None else {call},", "inside"
    return depth, _call(r), "stmt"


def embedding(depth: int, kind: str) -> tuple[str, str]:
    """Source before and after the statement's lines, so that it sits at ``depth``."""
    if kind == "inside":  # an entry of an exploded dict
        return "class A:\n    def f(self):\n        g(\n            c={\n", "            },\n        )\n"
    if kind == "param":  # a parameter of an exploded signature
        return "class A:\n    def f(\n        self,\n", "    ) -> None:\n        pass\n"
    if kind in ("def", "class"):
        before = "".join("    " * i + "class A:\n" for i in range(depth))
        return before, "    " * depth + "    pass\n"
    if kind == "decorator":  # before a definition
        before = "".join("    " * i + "class A:\n" for i in range(depth))
        return before, "    " * depth + "def f():\n" + "    " * depth + "    pass\n"
    openers = ["class A:", "def f(self):", "if x:"]
    return "".join("    " * i + openers[min(i, 2)] + "\n" for i in range(depth)), ""


# Statements with a name ``{n}`` that a sweep makes 1 to 99 characters long, so that every line
# of every shape crosses the line length somewhere: (depth, statement, kind).
SWEEPS = [
    (2, "return self._client._request(_endpoints.{N}, {{}}, timeout=timeout, extra_headers=extra_headers)", "stmt"),
    (2, 'return await self._client._stream(_endpoints.X, {{"{n}": {n}, }}, body=body, timeout=timeout)', "stmt"),
    (2, "self.{n} = async_to_raw_response(group.{n})", "stmt"),
    (2, "self.{n} = {N}(client.{n})", "stmt"),
    (0, 'X{N}: Endpoint[models.{N} | None] = Endpoint("GET", "/{n}", params=(Param("{n}", "{n}", "query", "form", True), ), idempotent=False,)', "stmt"),
    (0, 'OP: Endpoint[list[models.{N}]] = Endpoint("POST", "/p", body=Content("application/json", "json", lambda: models.{N} | dict[str, Any]), replies=(Reply("200", (Content("application/json", "json", lambda: models.{N}), Content("text/plain", "text", lambda: str), )), ),)', "stmt"),
    (0, 'OP: Endpoint[Any] = Endpoint("GET", "/p", security=(("{N}", ), ("a", "{N}", ), ), replies=(Reply("{n}"), ),)', "stmt"),
    (1, "def {n}(self, {n}: str, *, q: Literal['a', 'b', '{n}'] | NotGiven = NOT_GIVEN, body: models.{N} | dict[str, Any]) -> models.{N}:", "def"),
    (1, "async def {n}(self, *, x: int | NotGiven = NOT_GIVEN) -> models.{N} | list[models.{N}] | None:", "def"),
    (1, "def {n}(self) -> {N}WithRawResponse:", "def"),  # a lazy group's property: one long name
    (1, "def __init__(self, group: {N}) -> None:", "def"),
    (1, "class {N}(AsyncResource):", "class"),
    (0, "from ._{n} import {N}, {n}, {N}x", "stmt"),
    (0, "__all__ = ['{N}', '{N}WithRawResponse', ]", "stmt"),
    (4, '"{N}": None if {n} is None else ApiKey("header", "X-{N}", {n}),', "inside"),
    (2, "base_url: str | httpx.URL = 'https://{n}.example.com',", "param"),
    (2, "x = f(k=[{n}, {n}_2], t=({n}, {n}_3), d={{'{n}': {n}}})", "stmt"),
    (2, "return f(g(h({n}, {n}_2)))", "stmt"),
    (2, "return f({n}(), {n}_b())", "stmt"),
    (0, "from ._base_client import {N}", "stmt"),
    # server.py
    (0, '@router.get("/{n}", name="{n}", operation_id="{n}_op", summary="{N}", status_code=200, responses=OPERATIONS["{n}"].openapi(),)', "decorator"),
    (0, 'async def {n}(request: Request, *, {n}: Annotated[str | None, Query(alias="{N}", description="{N} {n}")] = None, q: Annotated[list[Literal["a", "{n}"]], Query()] = ["a"], body: Annotated[models.{N} | None, Body()] = None,) -> Response:', "def"),
    (0, "async def _{n}({n}: Annotated[HTTPAuthorizationCredentials | None, Security(_{N})], ) -> Credentials:", "def"),
    (1, 'return await OPERATIONS["{n}"].serve(request, {n}={n}, body=body)', "stmt"),
    (1, 'credentials = Credentials({n}={n}.credentials if {n} else None)', "stmt"),
    (4, '"{n}": ServerOperation("{n}", status=200, responses=(DeclaredResponse("200", "{N}", contents=(ResponseContent("application/json", models.{N}),)), DeclaredResponse("404", "Not found"),),),', "inside"),
    (1, "{n}: str | None = None", "stmt"),
    (0, '_{N} = APIKeyHeader(name="X-{N}", scheme_name="{n}", auto_error=False)', "stmt"),
    # the models modules
    (1, "{n}: Annotated[list[{N}] | None, Field(description='{N} {n}', max_length=128)] = None", "stmt"),
    (1, "{n}: Annotated[{N} | None, Field(title='{N}')] = [{N}.values]", "stmt"),
    (1, "tools: Annotated[list[{N}] | None, Field(max_length=128)] = []", "stmt"),
    (1, "{n}: {N}1 | {N}2 | None = None", "stmt"),
    (1, "{n}: Annotated[{N}, Field(ge=1)]", "stmt"),
    (1, "root: Annotated[{N}A | {N}B, Field(discriminator='type')]", "stmt"),
    (1, "root: {N}A | {N}B | {N}C", "stmt"),
    (1, "{n}: {N}", "stmt"),
    (1, "{n} = '{N}'", "stmt"),
    (1, "{n} = {N}.{n}", "stmt"),
    (1, "model_config = ConfigDict(extra='{n}', populate_by_name=True,)", "stmt"),
    (0, "class {N}(RootModel[{N}A | {N}B | list[{N}C]]):", "class"),
]


def swept(template: str, length: int) -> str:
    n = ("n" + "abcdefghij_" * 10)[:length]
    return template.format(n=n, N=n.upper().replace("_", "Z"))
