"""oapigen.spec.load and the modules it uses (read, yaml_loader, bundle, lines): parsing, resource limits,
bundling of external $refs, locating pointers."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from oapigen.core.diagnostics import SpecError
from oapigen.spec import lines as line_maps
from oapigen.spec import read, yaml_loader
from oapigen.spec.load import LoadedSpec, load_spec
from oapigen.spec.read import load_data_file
from oapigen.spec.validate import validate_spec

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPECS = ROOT.parent / "shared" / "specs"
SEED = ROOT / "specs" / "agent-server.json"
MINIMAL = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refs_of(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs_of(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_of(value)


def only_error(exc: pytest.ExceptionInfo[SpecError]) -> Any:
    assert len(exc.value.diagnostics) == 1, exc.value
    return exc.value.diagnostics[0]


# --- parsing ------------------------------------------------------------------------------------


def test_json_and_yaml_give_the_same_document(tmp_path: Path) -> None:
    as_json = write(tmp_path / "a.json", json.dumps(MINIMAL))
    as_yaml = write(tmp_path / "a.yaml", yaml.safe_dump(MINIMAL))
    first, second = load_spec(as_json), load_spec(str(as_yaml))
    assert first.document == second.document == MINIMAL
    assert first.display == str(as_json) and second.display == str(as_yaml)
    assert first.files == (as_json,)
    import hashlib

    assert first.sha256 == hashlib.sha256(as_json.read_bytes()).hexdigest()


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
def test_yaml_goes_through_libyaml() -> None:
    assert issubclass(yaml_loader.SpecYamlLoader, yaml.CSafeLoader)


def test_format_is_sniffed_without_a_known_extension(tmp_path: Path) -> None:
    assert load_spec(write(tmp_path / "spec", json.dumps(MINIMAL))).document == MINIMAL
    assert load_spec(write(tmp_path / "spec.txt", yaml.safe_dump(MINIMAL))).document == MINIMAL


def test_yaml_keys_become_strings_and_dates_stay_text(tmp_path: Path) -> None:
    spec = write(tmp_path / "s.yaml", "openapi: 3.1.0\ninfo: {title: t, version: 2024-01-31}\npaths:\n"
                 "  /a:\n    get:\n      responses:\n        200: {description: ok}\n        404: {description: no}\n")
    document = load_spec(spec).document
    assert document["info"]["version"] == "2024-01-31"
    assert list(document["paths"]["/a"]["get"]["responses"]) == ["200", "404"]


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        ("bad.yaml", "openapi: 3.1.0\ninfo:\n  title: [unclosed\n", "invalid YAML", 4),
        ("bad.json", '{"openapi": "3.1.0",\n "info": {\n', "invalid JSON", 3),
        ("bad2.json", '{"openapi": "3.1.0",\n "info": {}}}\n', "invalid JSON", 2),
        ("list.yaml", "- a\n- b\n", "top level is a list", None),
        ("empty.yaml", "", "top level is empty", None),
        ("latin1.yaml", "openapi: 3.1.0\ninfo:\n  title: caf\udce9\n", "not UTF-8", 3),
    ],
)
def test_bad_files_give_a_located_spec_error(tmp_path: Path, name: str, content: str, message: str,
                                            line: int | None) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    error = only_error(exc)
    assert error.file == str(path) and message in error.message
    assert error.line == line
    assert name in str(exc.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found") as exc:
        load_spec(tmp_path / "nope.yaml")
    assert "nope.yaml" in only_error(exc).file
    with pytest.raises(SpecError, match="is a directory"):
        load_spec(tmp_path)


def test_load_data_file_returns_any_data_and_locates_errors(tmp_path: Path) -> None:
    assert load_data_file(write(tmp_path / "x.yaml", "- 1\n- 2\n"), "x.yaml") == [1, 2]
    with pytest.raises(SpecError) as exc:
        load_data_file(write(tmp_path / "y.yaml", "a: 1\n  b: 2\n"), "shown.yaml")
    error = only_error(exc)
    assert error.file == "shown.yaml" and error.line == 2 and error.column is not None


# --- resource limits ------------------------------------------------------------------------------


def test_file_over_the_size_limit_fails_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: no 50 MB actually written
        handle.truncate(read.MAX_FILE_BYTES + 1)

    def no_reading(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(SpecError, match="too big"):
        load_spec(big)


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(SpecError, match="billion laughs"):
        load_spec(bomb)


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="recursive YAML alias"):
        load_spec(write(tmp_path / "r.yaml", "a: &x\n  b: *x\n"))


def test_a_few_aliases_load_and_are_not_shared(tmp_path: Path) -> None:
    spec = write(tmp_path / "s.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
                 "components:\n  schemas:\n    A: &s {type: object, properties: {x: {type: string}}}\n"
                 "    B: *s\n    C: *s\n")
    schemas = load_spec(spec).document["components"]["schemas"]
    assert schemas["A"] == schemas["B"] == schemas["C"]
    schemas["A"]["properties"]["x"]["type"] = "integer"
    assert schemas["B"]["properties"]["x"]["type"] == "string"


@pytest.mark.parametrize("suffix", ["json", "yaml"])
@pytest.mark.parametrize("depth", [600, 5000])
def test_too_deep_nesting_is_refused(tmp_path: Path, suffix: str, depth: int) -> None:
    nested = '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "x-deep": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(SpecError, match=r"nest|depth"):
        load_spec(write(tmp_path / f"deep.{suffix}", nested))


def test_moderate_nesting_loads(tmp_path: Path) -> None:
    node: dict[str, Any] = {}
    nested = {**MINIMAL, "components": {"schemas": {"A": node}}}
    for _ in range(200):
        node["items"] = {}
        node = node["items"]
    assert load_spec(write(tmp_path / "ok.json", json.dumps(nested))).document == nested


# --- bundling ----------------------------------------------------------------------------------------


def multi_file_spec(tmp_path: Path) -> Path:
    root = write(tmp_path / "api" / "openapi.yaml", """\
openapi: 3.0.3
info: {title: multi, version: '1'}
paths:
  /pets:
    $ref: paths/pets.yaml
  /pets/{id}:
    get:
      parameters:
        - $ref: 'params.yaml#/petId'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas/Pet.yaml'}
        '404': {$ref: 'responses.yaml#/NotFound'}
        default:
          description: error
          content:
            application/json:
              schema: {$ref: '../common/Error.yaml'}
components:
  schemas:
    Pet: {type: string, description: a local schema that already has the name}
    Tree: {$ref: 'schemas/Node.yaml'}
""")
    write(tmp_path / "api" / "paths" / "pets.yaml", """\
get:
  parameters:
    - {$ref: '../params.yaml#/limit'}
  responses:
    '200':
      description: ok
      content:
        application/json:
          schema: {type: array, items: {$ref: '../schemas/Pet.yaml'}}
""")
    write(tmp_path / "api" / "params.yaml", """\
petId: {name: id, in: path, required: true, schema: {type: integer}}
limit: {name: limit, in: query, schema: {$ref: '#/Limit'}}
Limit: {type: integer, maximum: 100}
""")
    write(tmp_path / "api" / "responses.yaml", """\
NotFound:
  description: not found
  content:
    application/json:
      schema: {$ref: '../common/Error.yaml'}
""")
    write(tmp_path / "api" / "schemas" / "Pet.yaml", """\
type: object
properties:
  name: {type: string}
  tag: {$ref: 'Tag.yaml'}
  owner: {$ref: 'other/Pet.yaml'}
""")
    write(tmp_path / "api" / "schemas" / "Tag.yaml", "type: string\n")
    write(tmp_path / "api" / "schemas" / "other" / "Pet.yaml", "type: object\nproperties:\n  back: {$ref: '../Pet.yaml'}\n")
    write(tmp_path / "api" / "schemas" / "Node.yaml", "type: object\nproperties:\n  children: {type: array, items: {$ref: 'Node.yaml'}}\n")
    write(tmp_path / "common" / "Error.yaml", "type: object\nrequired: [code]\nproperties:\n  code: {type: integer}\n")
    return root


def test_multi_file_spec_is_bundled_into_one_document(tmp_path: Path) -> None:
    spec = load_spec(multi_file_spec(tmp_path), allow_ref_outside=[tmp_path / "common"])
    document = spec.document
    refs = list(refs_of(document))
    assert refs and all(ref.startswith("#/") for ref in refs), refs
    schemas = document["components"]["schemas"]
    # the local Pet keeps its name; the two Pet.yaml files get distinct, deterministic names
    assert schemas["Pet"] == {"type": "string", "description": "a local schema that already has the name"}
    assert set(schemas) == {"Pet", "Tree", "Node", "Pet_2", "Tag", "Pet_3", "Limit", "Error"}
    assert schemas["Tree"] == {"$ref": "#/components/schemas/Node"}
    assert schemas["Node"]["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}  # a cycle ends
    pet = schemas["Pet_2"]
    assert pet["properties"]["tag"] == {"$ref": "#/components/schemas/Tag"}
    assert pet["properties"]["owner"] == {"$ref": "#/components/schemas/Pet_3"}
    assert schemas["Pet_3"]["properties"]["back"] == {"$ref": "#/components/schemas/Pet_2"}  # cross-file cycle
    parameters = document["components"]["parameters"]
    assert parameters["petId"]["name"] == "id" and parameters["limit"]["schema"] == {"$ref": "#/components/schemas/Limit"}
    assert document["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    # a path item has no section in 3.0: it is inlined
    assert document["paths"]["/pets"]["get"]["parameters"] == [{"$ref": "#/components/parameters/limit"}]
    assert spec.files[0] == tmp_path / "api" / "openapi.yaml"
    assert list(spec.files[1:]) == sorted(spec.files[1:])
    assert len(spec.files) == 9
    assert validate_spec(spec) == []


def test_bundled_content_is_located_in_its_own_file(tmp_path: Path) -> None:
    spec = load_spec(multi_file_spec(tmp_path), allow_ref_outside=[tmp_path / "common"])
    file, line = spec.locate("/components/schemas/Limit/maximum")
    assert file.endswith("params.yaml") and line == 3
    file, line = spec.locate("/paths/~1pets/get/responses/200")  # inlined path item
    assert file.endswith("pets.yaml") and line == 5
    file, line = spec.locate("/paths/~1pets~1{id}/get/responses/404")
    assert file == spec.display and line == 16
    diagnostic = spec.diagnostic("/components/schemas/Error/properties/code", "x")
    assert diagnostic.file.endswith("Error.yaml") and diagnostic.line == 4


def test_swagger_2_petstore_separate_bundles(tmp_path: Path) -> None:
    root = SHARED_SPECS / "oai-petstore-separate" / "spec" / "swagger.yaml"
    if not root.is_file():
        pytest.skip("../shared/specs is absent")
    with pytest.raises(SpecError, match="--allow-ref-outside"):
        load_spec(root)  # its $refs reach ../common: refused unless allowed
    spec = load_spec(root, allow_ref_outside=[root.parent.parent / "common"])
    refs = list(refs_of(spec.document))
    assert refs and all(ref.startswith("#/") for ref in refs), refs
    assert set(spec.document["definitions"]) == {"Pet", "NewPet", "Error"}
    assert set(spec.document["parameters"]) == {"tagsParam", "limitsParam"}
    assert spec.document["definitions"]["NewPet"]["allOf"][0] == {"$ref": "#/definitions/Pet"}
    assert len(spec.files) == 5 and spec.files[0] == root
    assert spec.locate("/parameters/tagsParam/items")[0].endswith("parameters.yaml")


def test_missing_external_file_names_the_referencing_place(tmp_path: Path) -> None:
    root = write(tmp_path / "s.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
                 "components:\n  schemas:\n    A: {$ref: 'gone.yaml'}\n")
    with pytest.raises(SpecError) as exc:
        load_spec(root)
    error = only_error(exc)
    assert error.file == str(root) and error.pointer == "/components/schemas/A" and error.line == 6
    assert "gone.yaml" in error.message and "file not found" in error.message


def test_missing_fragment_and_bad_external_file(tmp_path: Path) -> None:
    write(tmp_path / "defs.yaml", "A: {type: string}\n")
    write(tmp_path / "broken.yaml", "a: [\n")
    root = write(tmp_path / "s.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
                 "components:\n  schemas:\n    A: {$ref: 'defs.yaml#/B'}\n    C: {$ref: 'broken.yaml'}\n")
    with pytest.raises(SpecError) as exc:
        load_spec(root)
    first, second = exc.value.diagnostics
    assert "nothing at '#/B'" in first.message and first.line == 6
    assert second.file.endswith("broken.yaml") and second.line == 2


def refs_to_values_spec(tmp_path: Path) -> Path:
    """A spec split the way Redocly users split theirs: texts and values in another file."""
    write(tmp_path / "texts.yml", "intro: |\n  An intro, kept in its own file.\nlimit: 10\ntags: [items, things]\n"
          "nothing: null\n")
    return write(tmp_path / "openapi.yml", """\
openapi: 3.1.0
info:
  title: t
  version: '1'
  description: {$ref: 'texts.yml#/intro'}
paths:
  /items:
    get:
      operationId: list_items
      description: {$ref: 'texts.yml#/intro'}
      tags: {$ref: 'texts.yml#/tags'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  n: {type: integer, maximum: {$ref: 'texts.yml#/limit'}}
""")


def test_refs_to_strings_numbers_and_lists_are_inlined(tmp_path: Path) -> None:
    spec = load_spec(refs_to_values_spec(tmp_path))
    document = spec.document
    intro = "An intro, kept in its own file.\n"
    assert document["info"]["description"] == intro
    operation = document["paths"]["/items"]["get"]
    assert operation["description"] == intro and operation["tags"] == ["items", "things"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["n"] == {"type": "integer", "maximum": 10}
    assert validate_spec(spec) == []
    assert spec.locate("/paths/~1items/get/tags")[0].endswith("texts.yml")


@pytest.mark.parametrize(("extra", "pointer", "message"), [
    ("      summary: {$ref: 'texts.yml#/gone'}\n", "/paths/~1items/get/summary", "$ref 'texts.yml#/gone': nothing at '#/gone' in"),
    ("      summary: {$ref: 'texts.yml#/intro', x-note: a}\n", "/paths/~1items/get/summary",
     "points to a str, not a mapping, and has sibling keys (x-note)"),
])
def test_a_ref_to_a_value_that_cannot_be_inlined_is_located(tmp_path: Path, extra: str, pointer: str,
                                                              message: str) -> None:
    root = refs_to_values_spec(tmp_path)
    text = root.read_text(encoding="utf-8").replace("      responses:", extra + "      responses:")
    root.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_spec(root)
    error = only_error(exc)
    assert error.file == str(root) and error.pointer == pointer and error.line == 12
    assert message in error.message


def test_cli_generates_a_spec_with_refs_to_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oapigen.cli import main

    root = refs_to_values_spec(tmp_path)
    assert main(["generate", str(root), "--output", str(tmp_path / "out"), "--package", "refs_pkg"]) == 0
    readme = (tmp_path / "out" / "refs_pkg" / "README.md").read_text(encoding="utf-8")
    assert "An intro, kept in its own file." in readme
    root.write_text(root.read_text(encoding="utf-8").replace("#/limit", "#/gone"), encoding="utf-8")
    assert main(["validate", str(root)]) == 2
    pointer = "/paths/~1items/get/responses/200/content/application~1json/schema/properties/n/maximum"
    assert f"openapi.yml:20: {pointer}: $ref 'texts.yml#/gone': nothing at" in capsys.readouterr().err


def test_remote_refs_are_refused_without_touching_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    root = SHARED_SPECS / "fastapi-codegen-tests" / "remote_ref" / "body_and_parameters.yaml"
    if not root.is_file():
        pytest.skip("../shared/specs is absent")

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    with pytest.raises(SpecError) as exc:
        load_spec(root)
    assert len(exc.value.diagnostics) == 4
    assert exc.value.diagnostics and all("remote $ref" in d.message and "--allow-remote-refs" in d.message and d.line for d in exc.value.diagnostics)


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_remote_refs_are_fetched_when_allowed(tmp_path: Path, http_dir: tuple[Path, str]) -> None:
    served, url = http_dir
    write(served / "defs" / "common.yaml", "components:\n  schemas:\n    Pet:\n      type: object\n"
          "      properties: {tag: {$ref: 'tag.json'}}\n")
    write(served / "defs" / "tag.json", '{"type": "string"}')
    root = write(tmp_path / "s.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
                 f"components:\n  schemas:\n    A: {{$ref: '{url}/defs/common.yaml#/components/schemas/Pet'}}\n")
    spec = load_spec(root, allow_remote_refs=True)
    schemas = spec.document["components"]["schemas"]
    assert schemas["A"] == {"$ref": "#/components/schemas/Pet"}
    assert schemas["Pet"]["properties"]["tag"] == {"$ref": "#/components/schemas/tag"}
    assert schemas["tag"] == {"type": "string"}
    assert spec.files == (root,)  # URLs are not files
    assert spec.locate("/components/schemas/Pet/properties")[0] == f"{url}/defs/common.yaml"
    with pytest.raises(SpecError, match="cannot fetch"):
        load_spec(write(tmp_path / "t.yaml", f"openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\n"
                        f"components: {{schemas: {{A: {{$ref: '{url}/nope.yaml'}}}}}}\n"), allow_remote_refs=True)


# --- confinement of local $refs ------------------------------------------------------------------------

HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"


def ref_spec(folder: Path, ref: str) -> Path:
    return write(folder / "api" / "openapi.yaml", HEAD + f"components:\n  schemas:\n    A: {{$ref: '{ref}'}}\n")


@pytest.mark.parametrize("ref", ["../secret.yaml", "../../secret.yaml", "{outside}/secret.yaml",
                                 "file://{outside}/secret.yaml", "sub/../../secret.yaml", "link/secret.yaml"])
def test_refs_outside_the_spec_folder_are_located_errors(tmp_path: Path, ref: str) -> None:
    write(tmp_path / "secret.yaml", "type: string\ndescription: a secret\n")
    (tmp_path / "api" / "sub").mkdir(parents=True)
    (tmp_path / "api" / "link").symlink_to(tmp_path)  # inside by name, outside once resolved
    root = ref_spec(tmp_path, ref.format(outside=tmp_path))
    with pytest.raises(SpecError) as info:
        load_spec(root)
    [error] = info.value.diagnostics
    assert (error.file, error.pointer, error.line) == (str(root), "/components/schemas/A", 6)
    assert "outside the spec's folder" in error.message and "--allow-ref-outside" in (error.hint or "")
    assert "a secret" not in str(info.value)


def test_a_symlinked_file_that_leaves_the_tree_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "secret.yaml", "type: string\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Pet.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(SpecError, match="outside the spec's folder"):
        load_spec(ref_spec(tmp_path, "Pet.yaml"))


def test_refs_inside_the_tree_and_allowed_folders_load(tmp_path: Path) -> None:
    write(tmp_path / "api" / "schemas" / "Pet.yaml", "type: object\nproperties: {n: {$ref: '../../shared/N.yaml'}}\n")
    write(tmp_path / "shared" / "N.yaml", "type: integer\n")
    root = ref_spec(tmp_path, "schemas/Pet.yaml")
    with pytest.raises(SpecError, match=r"\$ref '../../shared/N.yaml' reaches"):
        load_spec(root)  # a nested file is confined to the spec's tree too
    spec = load_spec(root, allow_ref_outside=[tmp_path / "shared"])
    assert spec.document["components"]["schemas"]["N"] == {"type": "integer"}
    with pytest.raises(SpecError, match="outside the spec's folder"):
        load_spec(root, allow_ref_outside=[tmp_path / "elsewhere"])


def test_a_remote_document_cannot_read_local_files(tmp_path: Path, http_dir: tuple[Path, str]) -> None:
    served, url = http_dir
    write(tmp_path / "api" / "local.yaml", "type: string\n")
    write(served / "remote.yaml", f"type: object\nproperties: {{x: {{$ref: 'file://{tmp_path}/api/local.yaml'}}}}\n")
    with pytest.raises(SpecError, match="a remote document cannot refer to a local file"):
        load_spec(ref_spec(tmp_path, f"{url}/remote.yaml"), allow_remote_refs=True)


# --- locating -----------------------------------------------------------------------------------------


def test_line_maps_are_built_lazily_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = line_maps._json_lines

    def counting(text: str) -> dict[str, Any]:
        calls.append("json")
        return real(text)

    monkeypatch.setattr(line_maps, "_json_lines", counting)
    spec = load_spec(SEED)
    assert calls == []
    assert spec.locate("/components/schemas/ThreadState/properties/interrupts/items") == (str(SEED), 5146)
    assert spec.locate("/paths/~1mcp~1/delete/responses/404") == (str(SEED), 3347)
    assert spec.locate("/paths/~1mcp~1/delete/responses/404/not/there") == (str(SEED), 3347)
    assert spec.locate("") == (str(SEED), None)
    assert calls == ["json"]


def test_yaml_lines(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path / "s.yaml", "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths:\n"
                           "  /a/{b}:\n    get:\n      tags:\n        - x\n        - y\n"))
    assert spec.locate("/paths/~1a~1{b}/get/tags/1") == (str(tmp_path / "s.yaml"), 10)
    assert spec.locate("/info/version")[1] == 4


def test_a_loaded_spec_built_by_hand_still_locates(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", json.dumps(MINIMAL, indent=1))
    spec = LoadedSpec(path, "s.json", dict(MINIMAL), "0" * 64, (path,))
    assert spec.locate("/info/title") == ("s.json", 4)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=5), st.sampled_from([None, 1, 2]))
def test_json_line_map_agrees_with_the_text(document: dict[str, Any], indent: int | None) -> None:
    text = json.dumps(document, indent=indent)
    lines = text.split("\n")
    trie = line_maps._json_lines(text)

    def check(node: Any, level: dict[str, Any]) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, value in items:
            entry = level.get(str(key))
            if isinstance(node, dict):
                assert entry is not None and json.dumps(key) + ":" in lines[entry[0] - 1]
            elif entry is None:  # scalars in arrays other than strings are not recorded
                assert not isinstance(value, (str, dict, list))
                continue
            check(value, entry[1])

    check(document, trie)


# --- the corpus ---------------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason="../shared/specs is absent")
def test_every_corpus_file_loads_or_fails_cleanly() -> None:
    files = [p for p in sorted(SHARED_SPECS.rglob("*")) if p.suffix in (".json", ".yaml", ".yml")]
    assert len(files) > 40
    every_ref: list[str] = []
    for path in files:
        if path.name == "openai.yaml":
            continue  # loaded (once) by test_validate
        try:
            spec = load_spec(path, allow_ref_outside=[SHARED_SPECS])  # the corpus is trusted
        except SpecError as exc:
            assert "remote $ref" in str(exc), exc
            continue
        assert isinstance(spec.document, dict)
        refs = list(refs_of(spec.document))  # a spec may have none
        assert all(not ref.startswith(("http:", "https:")) and "#" in ref for ref in refs), refs
        every_ref.extend(refs)
    assert len(every_ref) > 100  # the check above ran on real $refs


def map_refs_spec(tmp_path: Path) -> Path:
    """Maps given as a $ref to a map elsewhere, as in DigitalOcean's public spec
    (``properties: {$ref: 'attributes.yml#/load_balancer_droplet_ids'}``): a property map from
    another file (whose own entries refer to a third file), one from the same file, a responses
    map; plus a real property named "$ref" (a schema, not a string), which stays one."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "attributes.yml").write_text(
        "droplet_ids:\n  droplet_ids: {$ref: 'ids.yml#/ids'}\n  tag: {type: string}\n", encoding="utf-8")
    (tmp_path / "models" / "ids.yml").write_text(
        "ids: {type: array, items: {type: integer}}\n", encoding="utf-8")
    root = tmp_path / "openapi.yml"
    root.write_text(
        "openapi: 3.1.0\n"
        "info: {title: T, version: '1'}\n"
        "paths:\n"
        "  /lbs:\n"
        "    post:\n"
        "      operationId: addDroplets\n"
        "      requestBody:\n"
        "        content:\n"
        "          application/json:\n"
        "            schema:\n"
        "              type: object\n"
        "              properties: {$ref: 'models/attributes.yml#/droplet_ids', tag: {type: integer}}\n"
        "              required: [droplet_ids]\n"
        "      responses: {$ref: '#/x-common-responses'}\n"
        "x-common-responses:\n"
        "  '204': {description: done}\n"
        "components:\n"
        "  schemas:\n"
        "    Named:\n"
        "      type: object\n"
        "      properties: {$ref: '#/x-named-properties'}\n"
        "    Dollar:\n"
        "      type: object\n"
        "      properties: {$ref: {type: string}}\n"
        "x-named-properties:\n"
        "  name: {type: string}\n",
        encoding="utf-8")
    return root


def test_a_map_given_as_a_ref_to_a_map_is_expanded_entry_by_entry(tmp_path: Path) -> None:
    spec = load_spec(map_refs_spec(tmp_path))
    document = spec.document
    operation = document["paths"]["/lbs"]["post"]
    properties = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert set(properties) == {"droplet_ids", "tag"}
    assert properties["tag"] == {"type": "integer"}  # the map's own entry wins over the target's
    schemas = document["components"]["schemas"]
    hoisted = schemas[properties["droplet_ids"]["$ref"].removeprefix("#/components/schemas/")]
    assert schemas[hoisted["$ref"].removeprefix("#/components/schemas/")] == {"type": "array", "items": {"type": "integer"}}
    assert operation["responses"] == {"204": {"description": "done"}}
    assert document["components"]["schemas"]["Named"]["properties"] == {"name": {"type": "string"}}
    assert document["components"]["schemas"]["Dollar"]["properties"] == {"$ref": {"type": "string"}}
    assert validate_spec(spec) == []


def test_a_map_ref_to_something_not_a_map_is_located(tmp_path: Path) -> None:
    root = map_refs_spec(tmp_path)
    root.write_text(root.read_text(encoding="utf-8").replace("'#/x-named-properties'", "'#/info/title'"),
                    encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_spec(root)
    error = only_error(exc)
    assert error.pointer == "/components/schemas/Named/properties" and error.line == 21
    assert "$ref '#/info/title' stands for a map of entries here" in error.message and "has a str there" in error.message


def test_cli_generates_a_spec_with_map_refs(tmp_path: Path) -> None:
    from oapigen.cli import main

    assert main(["generate", str(map_refs_spec(tmp_path)), "--output", str(tmp_path / "out"), "--package", "maps"]) == 0
    models = (tmp_path / "out" / "maps" / "models.py").read_text(encoding="utf-8")
    assert "droplet_ids: " in models and "tag: int | None" in models
