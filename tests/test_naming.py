from __future__ import annotations

import json
import keyword
from pathlib import Path
from typing import Any

import pytest
from oapigen.core import naming


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("getUserByID", "get_user_by_id"),
        ("Thread Runs", "thread_runs"),
        ("Crons (Plus tier)", "crons_plus_tier"),
        ("A2A", "a2a"),
        ("v2Users", "v2_users"),
        ("HTTPServerError", "http_server_error"),
        ("Foo-Bar", "foo_bar"),
        ("ÉtéCafé", "ete_cafe"),
        ("class", "class_"),
        ("match", "match_"),
        ("1abc", "n_1abc"),
    ],
)
def test_snake(text: str, expected: str) -> None:
    assert naming.snake(text) == expected


def test_every_result_is_a_valid_identifier() -> None:
    for text in ["", "   ", "日本語", "💥", "../../x", "None", "True", "__init__", "a b\nc", "-1"]:
        for name in (naming.snake(text), naming.pascal(text)):
            assert name.isidentifier() and name.isascii(), (text, name)
            assert not keyword.iskeyword(name)


def test_empty_names_are_distinct_and_stable() -> None:
    assert naming.snake("日本") != naming.snake("中文")
    assert naming.snake("日本") == naming.snake("日本")


def test_reserved_names_get_a_suffix() -> None:
    assert naming.snake("close", reserved=naming.CLIENT_ATTRIBUTES) == "close_"


def test_dedupe_is_ordered_and_distinct() -> None:
    assert naming.dedupe(["get_user", "get_user", "get_user"]) == ["get_user", "get_user_2", "get_user_3"]
    assert naming.dedupe(["body"], taken={"body"}) == ["body_2"]


SEED_PATHS = ["/threads/{thread_id}/runs", "/assistants/search", "/assistants/{assistant_id}/versions", "/runs"]


@pytest.mark.parametrize(
    ("operation_id", "path", "expected"),
    [
        ("create_run_threads__thread_id__runs_post", "/threads/{thread_id}/runs", "create_run"),
        ("search_assistants_assistants_search_post", "/assistants/search", "search_assistants"),
        # the suffix names the route's own path with another method: still FastAPI's
        ("get_assistant_versions_assistants__assistant_id__versions_get", "/assistants/{assistant_id}/versions", "get_assistant_versions"),
        ("put_item", "/store/items", "put_item"),
        ("listPets", "/pets", "listPets"),
        # a suffix naming another route is kept in a spec that is not FastAPI-style
        ("cancel_runs_post", "/runs/cancel", "cancel_runs_post"),
    ],
)
def test_fastapi_suffix_is_removed(operation_id: str, path: str, expected: str) -> None:
    assert naming.operation_base_name(operation_id, path, SEED_PATHS) == expected


def test_copied_ids_lose_their_suffix_in_a_fastapi_style_spec() -> None:
    assert naming.operation_base_name("cancel_runs_post", "/runs/cancel", SEED_PATHS, fastapi_spec=True) == "cancel"


def test_synthesized_operation_id() -> None:
    assert naming.synthesized_operation_id("GET", "/pets/{petId}") == "get_pets_pet_id"


def test_long_names_are_shortened_from_the_middle_and_stably() -> None:
    text = "listAutoscalingV2NamespacedHorizontalPodAutoscalerForAllNamespacesWithTheStatusSubresourceWatch"
    name = naming.snake(text)  # 112 characters seen on a container orchestration API
    assert len(name) <= naming.MAX_LENGTH and name == naming.snake(text)
    assert name.startswith("list_autoscaling_v2") and name.endswith("status_subresource_watch")
    cls = "CreateAssistantRequestToolResourcesFileSearchVectorStoreChunkingStrategyStatic"
    short = naming.shorten_class_name(cls)
    assert len(short) <= naming.MAX_LENGTH and short.startswith("CreateAssistant") and short.endswith("StrategyStatic")
    assert naming.pascal(cls) == short
    assert naming.snake("short_name") == "short_name" and naming.shorten_class_name("Run") == "Run"


def test_empty_names_take_the_prefix_and_a_digest_of_the_original() -> None:
    assert naming.snake("日本") == "n_cf2abf0c"
    assert naming.snake("日本", prefix="op") == "op_cf2abf0c"
    assert naming.pascal("日本") == "N_cf2abf0c"
    assert naming.snake("\ud800") == "n_91a681b9"  # a lone surrogate is hashed, not an error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("getUserByID", "GetUserById"),
        ("thread runs", "ThreadRuns"),
        ("a-b_c", "ABC"),
        ("HTTPServer", "HttpServer"),
        ("already Pascal", "AlreadyPascal"),
        ("1abc", "N_1abc"),
        ("class", "Class"),  # not a keyword once capitalized
        ("None", "None_"),
        ("ÉtéCafé", "EteCafe"),
    ],
)
def test_pascal(text: str, expected: str) -> None:
    assert naming.pascal(text) == expected


def test_pascal_prefix_and_reserved() -> None:
    assert naming.pascal("2x", prefix="Model") == "Model_2x"
    assert naming.pascal("client", reserved={"Client"}) == "Client_"


@pytest.mark.parametrize(
    ("operation_id", "path", "expected"),
    [
        ("create_run_threads__thread_id__runs_post", "/threads/{thread_id}/runs", True),
        ("XX_runs_post", "/runs", True),
        ("listPets", "/pets", False),
        ("runs_post", "/runs", False),  # no function name before the path
        ("__runs_post", "/runs", False),  # only underscores before it
        ("cancel_runs_post", "/runs/cancel", False),  # the suffix names another path
        ("list_pets_fetch", "/pets", False),  # not an HTTP method
    ],
)
def test_is_fastapi_style(operation_id: str, path: str, expected: bool) -> None:
    assert naming.is_fastapi_style(operation_id, path) is expected


@pytest.mark.parametrize(
    ("operation_id", "path", "all_paths", "expected"),
    [
        # the longest matching path wins (here "/runs" matches too)
        ("create_run_threads__thread_id__runs_post", "/runs", ["/threads/{thread_id}/runs"], "create_run"),
        ("x_a_b_get", "/b", ["/a/b"], "x"),  # longest first, not last in alphabetical order
        ("listPets_get", "/pets", [], "listPets_get"),
        ("root__get", "/", [], "root__get"),  # a one-character fragment is never removed
        ("list_a_get", "/a", [], "list"),  # two characters are
        ("__runs_post", "/runs", [], "__runs_post"),  # nothing but underscores would be left
        ("XX_runs_post", "/runs", [], "XX"),
    ],
)
def test_operation_base_name_edges(operation_id: str, path: str, all_paths: list[str], expected: str) -> None:
    assert naming.operation_base_name(operation_id, path, all_paths, fastapi_spec=True) == expected


def test_colliding_operation_names_are_told_apart_by_their_paths() -> None:
    """Not by a counter: the segments the other path lacks (a parameter as ``by_<name>``), or
    the method for the same path; a counter only for what still collides."""
    names = ["get_subgraphs", "get_subgraphs", "get_user", "get_user", "list_runs", "list_runs"]
    paths = ["/a/{id}/subgraphs", "/a/{id}/subgraphs/{namespace}", "/u", "/u", "/t/{t}/runs/stream", "/t/{t}/runs"]
    methods = ["get", "get", "get", "put", "get", "get"]
    assert naming.distinct_by_path(names, paths, methods) == [
        "get_subgraphs", "get_subgraphs_by_namespace", "get_user", "get_user_put", "list_runs_stream", "list_runs",
    ]
    # a derived name that another operation already has: the counter, in order
    assert naming.distinct_by_path(["f", "f", "f_put"], ["/a", "/a", "/b"], ["get", "put", "get"]) == ["f", "f_put", "f_put_2"]


def _inspect(tmp_path: Path, capsys: pytest.CaptureFixture[str], paths: dict[str, Any], name: str = "spec") -> dict[str, str]:
    """``oapigen inspect --json`` of a spec with ``paths``: operationId -> the client path."""
    from oapigen.cli import main

    spec = tmp_path / f"{name}.json"
    spec.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}))
    capsys.readouterr()
    assert main(["inspect", str(spec), "--json", "-q"]) == 0
    return {row["operation_id"]: row["python"] for row in json.loads(capsys.readouterr().out)}


def _op(op_id: str, *tags: str) -> dict[str, Any]:
    return {"operationId": op_id, "responses": {"204": {"description": "ok"}}, **({"tags": list(tags)} if tags else {})}


def _path_params(path: str) -> list[dict[str, Any]]:
    names = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]


def test_a_tags_qualifier_in_parentheses_is_not_part_of_the_group_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """README (Names): ``"Crons (Plus tier)"`` -> ``client.crons``; a qualifier is kept only where
    leaving it out would give two tags one name, and for a tag that is nothing but one."""
    rows = _inspect(tmp_path, capsys, {
        "/crons": {"get": _op("listCrons", "Crons (Plus tier)")},
        "/runs": {"get": _op("listRuns", "Runs"), "post": _op("createRun", "Runs [beta]")},
        "/store": {"get": _op("getItem", "Store [v2] (Plus tier)")},
        "/x": {"get": _op("internal", "(internal)")},
    })
    assert rows == {
        "listCrons": "crons.list_crons",
        "listRuns": "runs.list_runs",
        "createRun": "runs_beta.create_run",  # "Runs" is a tag too: named in full
        "getItem": "store.get_item",
        "internal": "internal.internal",  # nothing but a qualifier: kept
    }


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["/holders"], ["holders"]),
        (["/holders/{n}"], ["holders"]),  # was on the client: the shared prefix took its only segment
        (["/holders", "/holders/{n}"], ["holders", "holders"]),
        (["/holders/{n}", "/holders/{n}/items"], ["holders", "holders"]),
        (["/v1/holders/{n}", "/v1/items"], ["holders", "items"]),  # the shared /v1 is still left out
        (["/api/v1/holders", "/api/v1/holders/{n}"], ["holders", "holders"]),
        (["/{id}", "/things"], [None, "things"]),  # a parameter first: the client's own
    ],
)
def test_an_untagged_spec_groups_a_path_and_its_sub_paths_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], paths: list[str], expected: list[str | None]
) -> None:
    """README (Names): the segments every path starts with stop before any path's last literal
    segment, so ``/holders`` and ``/holders/{n}`` are in one group, with or without the other."""
    rows = _inspect(tmp_path, capsys, {p: {"get": _op(f"op{i}"), "parameters": _path_params(p)} for i, p in enumerate(paths)})
    groups = [rows[f"op{i}"].rpartition(".")[0] or None for i in range(len(paths))]
    assert groups == expected
