from __future__ import annotations

import keyword

import pytest

from generator import naming


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
