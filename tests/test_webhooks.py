"""Webhooks (OpenAPI 3.1 ``webhooks``, issue 16 item 3): the generated sender delivers to the
generated receiver over real HTTP, signed as Standard Webhooks says; bad signatures, stale or
future timestamps and replays are refused; an unsigned receiver accepts unsigned requests.

Specs: tests/data/webhooks/signed.yaml (``x-webhook-signing``, events told apart by their
``type`` constant, an inline payload) and unsigned.yaml (no tag: identified by the schema the
payload fits; a text body; a PUT webhook)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest import SHARED_SPECS, MypyRun, mypy_strict_targets, serve_over_http
from .conftest_client import generate_files

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "webhooks"
SPECS = {"wh_signed": DATA / "signed.yaml", "wh_unsigned": DATA / "unsigned.yaml", "wh_hostile": DATA / "hostile.yaml",
         "wh_callbacks": DATA / "callbacks.yaml"}
EXAMPLE = SHARED_SPECS / "oai-webhook-example.yaml"
WEBHOOK_FILES = ("webhooks.py", "_webhooks.py", "_webhooks_server.py")
CALLBACK_FILES = ("callbacks.py", "_webhooks.py", "_webhooks_server.py")


def _root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.getbasetemp() / "webhook_packages"
    for package, spec in [*SPECS.items(), *([("wh_example", EXAMPLE)] if EXAMPLE.is_file() else [])]:
        if not (root / package / "_webhooks.py").exists():
            for name, text in generate_files(spec, package).items():
                path = root / package / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return root


def _import(tmp_path_factory: pytest.TempPathFactory, package: str, module: str = "webhooks") -> ModuleType:
    root = str(_root(tmp_path_factory))
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(f"{package}.{module}")


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return _import(tmp_path_factory, "wh_signed")


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return _import(tmp_path_factory, "wh_unsigned")


class Handlers:
    """Records every event it is called with (any webhook)."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        async def handle(event: Any) -> None:
            self.events.append(event)

        return handle


def _order_created(wh: ModuleType) -> Any:
    models = sys.modules[wh.__name__.rsplit(".", 1)[0] + ".models"]
    return models.OrderCreatedWebhookBody(
        type="order.created", order=models.Order(id="o1", total=12.5), created_at="2026-01-02T03:04:05Z"
    )


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers={"content-type": "application/json", **headers})


# -- round trips over HTTP --------------------------------------------------------------------


def test_signed_round_trip_over_http(signed: ModuleType) -> None:
    """Both events through one URL, told apart by their ``type``; the handler gets typed
    payloads; the answer is the webhook's declared 2xx status."""
    secret = signed.generate_secret()
    handlers = Handlers()
    with serve_over_http(signed.create_webhooks_app(handlers, secret=secret)) as url, \
            signed.WebhookSender(secret, backoff=0) as sender:
        created = sender.order_created(url + "/", _order_created(signed), webhook_id="msg_1")
        cancelled = sender.order_cancelled(url + "/", {"type": "order.cancelled", "id": "o1", "reason": "late"})
    assert (created.status_code, cancelled.status_code) == (204, 200)
    first, second = handlers.events
    assert isinstance(first, signed.OrderCreatedEvent) and isinstance(second, signed.OrderCancelledEvent)
    assert first.webhook_id == "msg_1" and abs(first.timestamp - time.time()) < 300
    assert first.payload.order.total == 12.5 and first.payload.created_at.year == 2026
    assert second.payload.reason == "late" and second.webhook_id.startswith("msg_")


def test_async_sender_and_mounted_router(signed: ModuleType) -> None:
    """The router mounted under a prefix of the consumer's own app; the async sender; the
    event's own route ``/{webhook name}``."""
    from fastapi import FastAPI

    secret = signed.generate_secret()
    handlers = Handlers()
    app = FastAPI()
    app.include_router(signed.create_webhooks_router(handlers, secret=[secret]), prefix="/hooks")

    async def send(url: str) -> httpx.Response:
        async with signed.AsyncWebhookSender(secret, backoff=0) as sender:
            response: httpx.Response = await sender.order_cancelled(url, {"type": "order.cancelled", "id": "o2"})
            return response

    import asyncio

    with serve_over_http(app) as url:
        assert asyncio.run(send(url + "/hooks/order.cancelled")).status_code == 200
    assert [e.payload.id for e in handlers.events] == ["o2"]


def test_unsigned_receiver_accepts_unsigned_requests(unsigned: ModuleType) -> None:
    """No secret on either side; events told apart by the schema the payload fits; a text body
    sent with PUT to its own route."""
    handlers = Handlers()
    with serve_over_http(unsigned.create_webhooks_app(handlers)) as url, unsigned.WebhookSender(backoff=0) as sender:
        assert sender.new_pet(url, {"id": 1, "name": "Rex"}).status_code == 200
        assert sender.pet_note(url + "/petNote", "fed at 8").status_code == 202
        plain = httpx.post(url, json={"id": 2, "name": "Max"})  # no webhook headers at all
    assert plain.status_code == 200
    pet, note, other = handlers.events
    assert isinstance(pet, unsigned.NewPetEvent) and pet.payload.name == "Rex"
    assert isinstance(note, unsigned.PetNoteEvent) and note.payload == "fed at 8"
    assert other.payload.id == 2 and other.webhook_id is None


# -- refusals -------------------------------------------------------------------------------------


def _signed_request(wh: ModuleType, secret: str, body: bytes, msg_id: str = "msg_x", timestamp: int | None = None) -> dict[str, str]:
    from importlib import import_module

    runtime = import_module(wh.__name__.rsplit(".", 1)[0] + "._webhooks")
    headers: dict[str, str] = runtime.signature_headers(secret, msg_id, body, timestamp)
    return headers


BODY = json.dumps({"type": "order.cancelled", "id": "o9"}).encode()


def test_bad_signatures_are_refused_with_401(signed: ModuleType) -> None:
    secret, other = signed.generate_secret(), signed.generate_secret()
    handlers = Handlers()
    with serve_over_http(signed.create_webhooks_app(handlers, secret=secret)) as url:
        with signed.WebhookSender(other, backoff=0) as sender, pytest.raises(signed.WebhookDeliveryError) as raised:
            sender.order_cancelled(url, {"type": "order.cancelled", "id": "o1"})
        tampered = _post(url, BODY.replace(b"o9", b"o8"), _signed_request(signed, secret, BODY))
        unsigned = _post(url, BODY, {})
        garbled = _post(url, BODY, {**_signed_request(signed, secret, BODY), "webhook-signature": "v1,???? v2,x"})
    assert raised.value.attempts == 1  # a 401 is not retried
    assert raised.value.response is not None and raised.value.response.status_code == 401
    assert [r.status_code for r in (tampered, unsigned, garbled)] == [401, 401, 401]
    assert "signature" in unsigned.json()["detail"]
    assert handlers.events == []


def test_stale_and_future_timestamps_are_refused(signed: ModuleType) -> None:
    secret = signed.generate_secret()
    handlers = Handlers()
    with serve_over_http(signed.create_webhooks_app(handlers, secret=secret, tolerance=60)) as url:
        stale = _post(url, BODY, _signed_request(signed, secret, BODY, "msg_a", int(time.time()) - 3600))
        future = _post(url, BODY, _signed_request(signed, secret, BODY, "msg_b", int(time.time()) + 3600))
        fresh = _post(url, BODY, _signed_request(signed, secret, BODY, "msg_c"))
    assert (stale.status_code, future.status_code, fresh.status_code) == (401, 401, 200)
    assert "too old" in stale.json()["detail"] and "future" in future.json()["detail"]
    assert [e.webhook_id for e in handlers.events] == ["msg_c"]


def test_a_replay_is_refused_with_409(signed: ModuleType) -> None:
    secret = signed.generate_secret()
    handlers = Handlers()
    with serve_over_http(signed.create_webhooks_app(handlers, secret=secret)) as url:
        headers = _signed_request(signed, secret, BODY, "msg_once")
        first, again = _post(url, BODY, headers), _post(url, BODY, headers)
        resigned = _post(url, BODY, _signed_request(signed, secret, BODY, "msg_once"))
    assert (first.status_code, again.status_code, resigned.status_code) == (200, 409, 409)
    assert len(handlers.events) == 1


def test_a_failed_handler_leaves_the_id_for_the_retry(signed: ModuleType) -> None:
    """The id is remembered once the handler returned: the sender's retry (same id) is handled."""
    secret = signed.generate_secret()
    calls: list[str] = []

    class Flaky:
        async def order_cancelled(self, event: Any) -> None:
            calls.append(event.webhook_id)
            if len(calls) == 1:
                raise RuntimeError("database down")

    app = signed.create_webhooks_app(Flaky(), secret=secret)
    with serve_over_http(app) as url, signed.WebhookSender(secret, backoff=0) as sender:
        response = sender.order_cancelled(url, {"type": "order.cancelled", "id": "o1"}, webhook_id="msg_r")
    assert response.status_code == 200 and calls == ["msg_r", "msg_r"]


def test_key_rotation(signed: ModuleType) -> None:
    old, new = signed.generate_secret(), signed.generate_secret()
    handlers = Handlers()
    with serve_over_http(signed.create_webhooks_app(handlers, secret=[new, old])) as url:
        for secrets in (old, new, [old, new]):
            with signed.WebhookSender(secrets, backoff=0) as sender:
                assert sender.order_cancelled(url, {"type": "order.cancelled", "id": "o"}).status_code == 200
    with serve_over_http(signed.create_webhooks_app(handlers, secret=new)) as url, \
            signed.WebhookSender([signed.generate_secret(), new], backoff=0) as both:
        assert both.order_cancelled(url, {"type": "order.cancelled", "id": "o"}).status_code == 200
    assert len(handlers.events) == 4


def test_payload_errors(signed: ModuleType, unsigned: ModuleType) -> None:
    secret = signed.generate_secret()
    with serve_over_http(signed.create_webhooks_app(Handlers(), secret=secret)) as url:
        def post(body: bytes, path: str = "/") -> httpx.Response:
            return _post(url + path, body, _signed_request(signed, secret, body, f"msg_{len(body)}_{path}"))

        unknown = post(json.dumps({"type": "order.lost", "id": "1"}).encode())
        misfit = post(json.dumps({"type": "order.cancelled"}).encode())
        not_json = post(b"<xml/>")
        no_such = post(BODY, "/order.lost")
        wrong_method = httpx.put(url + "/order.cancelled", content=BODY, headers=_signed_request(signed, secret, BODY, "m"))
        too_big = _post(url, b"x" * (2 << 20), {})
    assert [r.status_code for r in (unknown, misfit, not_json, no_such, wrong_method, too_big)] == [400, 422, 400, 404, 405, 413]
    assert "order.lost" in unknown.json()["detail"] and "id" in misfit.json()["detail"]
    with serve_over_http(unsigned.create_webhooks_app(Handlers())) as url:
        body = json.dumps({"id": 1, "name": "Rex", "old_name": "Max"}).encode()
        ambiguous, named = _post(url, body, {}), _post(url + "/petRenamed", body, {})
    assert (ambiguous.status_code, named.status_code) == (400, 200)
    assert "newPet" in ambiguous.json()["detail"] and "petRenamed" in ambiguous.json()["detail"]


def test_a_signed_api_needs_a_secret(signed: ModuleType, unsigned: ModuleType) -> None:
    with pytest.raises(signed.WebhookSecretError, match="signs its webhooks"):
        signed.create_webhooks_app(Handlers(), secret=None)
    with pytest.raises(signed.WebhookSecretError):
        signed.WebhookSender(None)
    with pytest.raises(signed.WebhookSecretError, match="base64"):
        signed.WebhookSender("whsec_not base64!")
    unsigned.WebhookSender().close()  # optional where the spec does not say it signs


# -- parse_webhook and the verifier, without HTTP --------------------------------------------------


def test_standard_webhooks_reference_vector(signed: ModuleType) -> None:
    """The test vector of the Standard Webhooks reference libraries verifies (interoperability)."""
    verifier = signed.WebhookVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", clock=lambda: 1614265330.0 + 10)
    headers = {"Webhook-Id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "Webhook-Timestamp": "1614265330",
               "Webhook-Signature": "v1,bm9ldmVu v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
    verified = verifier.verify(b'{"test": 2432232314}', headers)
    assert (verified.webhook_id, verified.timestamp) == ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330)
    with pytest.raises(signed.WebhookReplayError):
        verifier.verify(b'{"test": 2432232314}', headers)
    with pytest.raises(signed.WebhookVerificationError):
        verifier.verify(b'{"test": 2432232315}', {**headers, "Webhook-Id": "msg_2"})


def test_parse_webhook(signed: ModuleType) -> None:
    secret = signed.generate_secret()
    body = json.dumps({"type": "order.created", "order": {"id": "o", "total": 3}, "created_at": "2026-05-01T00:00:00Z"})
    headers = _signed_request(signed, secret, body.encode(), "msg_p")
    event = signed.parse_webhook(body, headers, verifier=signed.WebhookVerifier(secret))
    assert isinstance(event, signed.OrderCreatedEvent) and event.payload.order.total == 3
    assert event.webhook_id == "msg_p"
    assert isinstance(signed.parse_webhook(BODY), signed.OrderCancelledEvent)  # unchecked without a verifier
    with pytest.raises(signed.WebhookVerificationError):
        signed.parse_webhook(body, {**headers, "webhook-timestamp": "0"}, verifier=signed.WebhookVerifier(secret))


# -- delivery retries (in process) ---------------------------------------------------------------


def _recording(*answers: httpx.Response | Exception) -> tuple[list[httpx.Request], httpx.Client]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return seen, httpx.Client(transport=httpx.MockTransport(handler))


def test_the_sender_retries_transient_failures_with_the_same_id(signed: ModuleType) -> None:
    secret = signed.generate_secret()
    seen, client = _recording(httpx.Response(503), httpx.ConnectError("refused"), httpx.Response(204))
    sender = signed.WebhookSender(secret, http_client=client, attempts=3, backoff=0)
    assert sender.order_cancelled("http://hooks.test/in", {"type": "order.cancelled", "id": "1"}).status_code == 204
    assert len(seen) == 3 and len({r.headers["webhook-id"] for r in seen}) == 1
    verifier = signed.WebhookVerifier(secret, replay_protection=False)
    assert all(verifier.verify(r.content, r.headers) for r in seen)
    seen, client = _recording(httpx.Response(400), httpx.Response(200))
    with pytest.raises(signed.WebhookDeliveryError, match="HTTP 400"):
        signed.WebhookSender(secret, http_client=client, backoff=0).order_cancelled("http://h/", {"type": "order.cancelled", "id": "1"})
    assert len(seen) == 1  # a 4xx other than 408/425/429 is not retried
    seen, client = _recording(httpx.Response(500), httpx.Response(502))
    with pytest.raises(signed.WebhookDeliveryError) as raised:
        signed.WebhookSender(secret, http_client=client, attempts=2, backoff=0).order_cancelled("http://h/", {"type": "order.cancelled", "id": "1"})
    assert raised.value.attempts == 2 and raised.value.response.status_code == 502


def test_a_409_after_a_lost_answer_means_delivered(signed: ModuleType) -> None:
    """An attempt that got no answer may have arrived: the retry's 409 (id already received)
    then counts as delivered; a 409 to a first attempt does not."""
    secret = signed.generate_secret()
    seen, client = _recording(httpx.ReadTimeout("no answer"), httpx.Response(409))
    sender = signed.WebhookSender(secret, http_client=client, backoff=0)
    assert sender.order_cancelled("http://h/", {"type": "order.cancelled", "id": "1"}).status_code == 409
    assert len(seen) == 2
    seen, client = _recording(httpx.Response(409))
    with pytest.raises(signed.WebhookDeliveryError):
        signed.WebhookSender(secret, http_client=client, backoff=0).order_cancelled("http://h/", {"type": "order.cancelled", "id": "1"})
    assert len(seen) == 1


def test_the_sender_validates_the_payload(signed: ModuleType) -> None:
    seen, client = _recording()
    sender = signed.WebhookSender(signed.generate_secret(), http_client=client)
    with pytest.raises(signed.WebhookPayloadError):
        sender.order_cancelled("http://h/", {"type": "order.cancelled"})  # no id
    assert seen == []


# -- generation ------------------------------------------------------------------------------------


def test_a_spec_without_webhooks_gets_no_webhook_files() -> None:
    files = generate_files(ROOT / "specs" / "petstore.yaml", "petstore")
    assert not {*WEBHOOK_FILES, *CALLBACK_FILES} & set(files)
    assert "webhooks.py" not in generate_files(SPECS["wh_callbacks"], "wh_callbacks")
    assert set(WEBHOOK_FILES) <= set(generate_files(SPECS["wh_signed"], "wh_signed"))


def test_hostile_webhook_names(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Names that are code, keywords, the senders' own attributes, or one webhook with two
    methods: escaped, renamed, told apart (the package type-checks and lints, see below)."""
    wh = _import(tmp_path_factory, "wh_hostile")
    assert [cls.__name__ for cls in wh.WebhookEvent.__args__] == [
        "ImportOsEvent", "ClassEvent", "NewPetPostEvent", "NewPetDeleteEvent", "NewPetEvent", "SendEvent"]
    event = wh.parse_webhook(b'{"a": "x"}', name='"""; import os #')
    assert event.webhook == '"""; import os #' and event.payload.a == "x"
    assert wh.parse_webhook(b"", name="new-pet", method="DELETE").payload is None
    handlers = Handlers()
    with serve_over_http(wh.create_webhooks_app(handlers)) as url, wh.WebhookSender(backoff=0) as sender:
        assert sender.new_pet_delete(url + "/new-pet").status_code == 204
        assert sender.new_pet_post(url + "/new-pet", b"\x00\x01").status_code == 200
        assert sender.class_(url + "/class", ["2026-01-01T00:00:00Z"]).status_code == 200
        assert httpx.patch(url + "/new-pet").status_code == 405
    assert [type(e).__name__ for e in handlers.events] == ["NewPetDeleteEvent", "NewPetPostEvent", "ClassEvent"]
    assert handlers.events[1].payload == b"\x00\x01" and handlers.events[2].payload[0].year == 2026


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="../shared/specs is absent")
def test_oai_webhook_example_round_trip(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The OpenAPI Initiative's webhook example (no paths at all): signed round trip."""
    wh = _import(tmp_path_factory, "wh_example")
    models = importlib.import_module("wh_example.models")
    secret = wh.generate_secret()
    handlers = Handlers()
    with serve_over_http(wh.create_webhooks_app(handlers, secret=secret)) as url, wh.WebhookSender(secret) as sender:
        assert sender.new_pet(url, models.Pet(id=7, name="Rex", tag="dog")).status_code == 200
    assert handlers.events[0].payload == models.Pet(id=7, name="Rex", tag="dog")


CONSUMER = '''
from typing import assert_never

from {package}.webhooks import (
    OrderCancelledEvent, OrderCreatedEvent, WebhookHandlers, WebhookSender, WebhookVerifier,
    create_webhooks_app, parse_webhook,
)


class Mine:
    async def order_created(self, event: OrderCreatedEvent) -> None:
        print(event.payload.order.id)

    async def order_cancelled(self, event: OrderCancelledEvent) -> None:
        print(event.payload.reason)


def route(body: bytes, headers: dict[str, str], secret: str) -> str:
    event = parse_webhook(body, headers, verifier=WebhookVerifier(secret))
    match event:
        case OrderCreatedEvent():
            return event.payload.order.id
        case OrderCancelledEvent():
            return event.payload.id
        case _:
            assert_never(event)


handlers: WebhookHandlers = Mine()
app = create_webhooks_app(handlers, secret="whsec_AAAA")
WebhookSender("whsec_AAAA").order_cancelled("http://h/", {{"type": "order.cancelled", "id": "1"}})
'''


@mypy_strict_targets
def webhook_packages(request: pytest.FixtureRequest) -> list[Path]:
    root = _root(request.getfixturevalue("tmp_path_factory"))
    script = root / "webhook_consumer.py"
    script.write_text(CONSUMER.format(package="wh_signed"), encoding="utf-8")
    return [root / package for package in SPECS] + [script]


def test_generated_webhooks_type_check(mypy_strict: MypyRun) -> None:
    """mypy --strict on the packages and on a consumer that narrows the event union."""
    assert not mypy_strict.errors(webhook_packages)


BASELINE = SHARED_SPECS / "opc-baseline-3.1.yaml"  # a callback without a body: no model to import


def test_generated_webhooks_are_lint_clean(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = _root(tmp_path_factory)
    files = [str(root / package / name) for package in SPECS
             for name in (CALLBACK_FILES if package == "wh_callbacks" else WEBHOOK_FILES)]
    if BASELINE.is_file():
        text = generate_files(BASELINE, "wh_baseline", lenient=True)["callbacks.py"]
        (root / "wh_baseline_callbacks.py").write_text(text, encoding="utf-8")
        files.append(str(root / "wh_baseline_callbacks.py"))
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), *files],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# -- callbacks (issue 16 item 4) --------------------------------------------------------------------


def test_callbacks_round_trip_client_server_receiver(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The generated client subscribes on the generated server, giving the URL of the generated
    callbacks receiver; the server's handler calls both callbacks back with the generated
    sender, their URLs resolved from the request (body, query and header expressions)."""
    callbacks = _import(tmp_path_factory, "wh_callbacks", "callbacks")
    server = importlib.import_module("wh_callbacks.server")
    package = importlib.import_module("wh_callbacks")
    models = importlib.import_module("wh_callbacks.models")
    secret = callbacks.generate_secret()

    class Implementation(server.Handlers):
        async def subscribe(self, *, notify: str | None, x_callback_token: str | None, body: Any) -> Any:
            request = callbacks.CallbackRequest(body=body, query={"notify": notify or ""},
                                                headers={"X-Callback-Token": x_callback_token or ""})
            async with callbacks.AsyncCallbackSender(secret, backoff=0) as sender:
                await sender.subscribe_on_event(request, {"kind": "event", "topic": body.topic, "seq": 1})
                await sender.subscribe_on_expiry(request, {"kind": "expired", "topic": body.topic})
            return models.Subscription(id="s1")

    handlers = Handlers()
    with serve_over_http(callbacks.create_callbacks_app(handlers, secret=secret)) as receiver, \
            serve_over_http(server.create_app(Implementation())) as api, package.Client(base_url=api) as client:
        made = client.subscriptions.subscribe(body={"callbackUrl": receiver + "/events", "topic": "t1"}, notify=receiver + "/n",
                                x_callback_token="tok")
    assert made.id == "s1"
    event, expiry = handlers.events
    assert isinstance(event, callbacks.SubscribeOnEventCallback) and event.payload.seq == 1
    assert isinstance(expiry, callbacks.SubscribeOnExpiryCallback) and expiry.payload.topic == "t1"
    assert expiry.headers["host"].startswith("127.0.0.1")


def test_callback_urls_resolve_from_the_request(tmp_path_factory: pytest.TempPathFactory) -> None:
    callbacks = _import(tmp_path_factory, "wh_callbacks", "callbacks")
    models = importlib.import_module("wh_callbacks.models")
    seen, client = _recording(httpx.Response(202), httpx.Response(200))
    sender = callbacks.CallbackSender(http_client=client, backoff=0)
    request = callbacks.CallbackRequest(body=models.SubscriptionRequest(callbackUrl="http://c.test/in", topic="a b"),
                                        query={"notify": "http://n.test"}, headers={"x-callback-token": "k"})
    sender.subscribe_on_event(request, {"kind": "event", "topic": "a b", "seq": 2})
    sender.subscribe_on_expiry(request, {"kind": "expired", "topic": "a b"})
    assert [str(r.url) for r in seen] == ["http://c.test/in", "http://n.test/expired?topic=a%20b&token=k"]
    with pytest.raises(callbacks.CallbackUrlError, match="notify"):
        sender.subscribe_on_expiry(callbacks.CallbackRequest(body={"topic": "x"}), {"kind": "expired", "topic": "x"})
    seen, client = _recording(httpx.Response(202))
    callbacks.CallbackSender(http_client=client).subscribe_on_event(
        callbacks.CallbackRequest(), {"kind": "event", "topic": "a", "seq": 3}, url="http://given.test/")
    assert str(seen[0].url) == "http://given.test/"


def test_a_big_apis_webhook_payloads_get_a_models_module_of_their_own(tmp_path: Path) -> None:
    """Over SPLIT_MIN classes, the payloads (and what they refer to) are in
    models/_webhook_payloads.py, so that importing webhooks.py does not load the classes no
    one uses (openai.yaml: 1,186 lines instead of the 17,120 of _unreferenced)."""
    from oapigen.models.package import SPLIT_MIN

    schemas: dict[str, Any] = {f"Unused{i}": {"type": "object", "properties": {"a": {"type": "string"}}}
                               for i in range(SPLIT_MIN + 1)}
    schemas["Item"] = {"type": "object", "properties": {"id": {"type": "string"}}}
    schemas["Both"] = {"type": "object", "properties": {"n": {"type": "integer"}}}
    schemas["Hook"] = {"type": "object", "required": ["item"],
                       "properties": {"item": {"$ref": "#/components/schemas/Item"}, "both": {"$ref": "#/components/schemas/Both"}}}
    spec = {
        "openapi": "3.1.0", "info": {"title": "big", "version": "1"},
        "paths": {"/both": {"get": {"operationId": "getBoth", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Both"}}}}}}}},
        "webhooks": {"hook": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Hook"}}}}, "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": schemas},
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    files = generate_files(path, "wh_big")
    payloads = files["models/_webhook_payloads.py"]
    assert "class Hook(" in payloads and "class Item(" in payloads and "class Both(" not in payloads
    assert "class Both(" in files["models/_common.py"] and "class Hook(" not in files["models/_unreferenced.py"]
    for name, text in files.items():
        (tmp_path / "wh_big" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "wh_big" / name).write_text(text, encoding="utf-8")
    code = ("import sys, wh_big.webhooks as w\n"
            "print(sorted(m for m in sys.modules if m.startswith('wh_big.models.')))\n"
            "print(type(w.parse_webhook(b'{\"item\": {\"id\": \"1\"}}').payload.item).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["['wh_big.models._common', 'wh_big.models._webhook_payloads']", "Item"]


def test_the_verifier_forgets_ids_after_the_window(signed: ModuleType) -> None:
    """Ids are kept for the tolerance window only (memory stays bounded): within it a re-signed
    id is a replay; once its window has passed, a fresh signature of the same id is new."""
    secret, now = signed.generate_secret(), [1_000_000.0]
    verifier = signed.WebhookVerifier(secret, tolerance=60, clock=lambda: now[0])

    def deliver(at: int) -> Any:
        return verifier.verify(BODY, _signed_request(signed, secret, BODY, "msg_same", at))

    deliver(1_000_000)
    now[0] += 59
    with pytest.raises(signed.WebhookReplayError):
        deliver(1_000_059)
    now[0] += 62
    assert deliver(1_000_121).timestamp == 1_000_121
