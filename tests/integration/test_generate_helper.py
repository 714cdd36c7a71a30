"""The generation helper process, driven through its torch-free client."""

from __future__ import annotations

import psutil
import pytest
from helpers import TINY_GAN, wait_for
from lm_fixtures import make_tiny_model
from PIL import Image

from aigc_tui.config import dump_toml, validate
from aigc_tui.generate.client import GenerationClient
from aigc_tui.runs import create_run
from aigc_tui.train.worker import run_worker


@pytest.fixture
def client(runs_dir):
    c = GenerationClient(runs_dir=runs_dir)
    yield c
    c.close()


def _collect(client, rid):
    events = list(client.events(rid, timeout=120))
    text = "".join(e["text"] for e in events if e["event"] == "text")
    return events, text


def test_two_prompts_a_cancel_and_a_bad_model(tmp_path, client):
    model = make_tiny_model(tmp_path / "tiny", "gpt2")
    first = client.generate(str(model), "def ", max_new_tokens=8, seed=1, temperature=0.0, top_k=0)
    events, text = _collect(client, first)
    assert events[0]["event"] == "loaded" and events[-1]["event"] == "done"
    assert events[-1]["stats"]["new_tokens"] == 8 and text

    second = client.generate(str(model), "class ", max_new_tokens=5, seed=2)
    events, _ = _collect(client, second)
    assert events[-1]["event"] == "done" and events[-1]["stats"]["new_tokens"] == 5

    long = client.generate(str(model), "The ", max_new_tokens=50_000, seed=3)
    seen, last = 0, None
    for last in client.events(long):  # ends with the request's done or error event
        if last["event"] == "text":
            seen += 1
            if seen == 3:
                client.cancel(long)
    assert last is not None and last["event"] == "done", last  # an error event fails here
    assert last["cancelled"] is True
    assert seen >= 3 and last["stats"]["new_tokens"] < 50_000

    bad = client.generate(str(tmp_path / "no-such-model"), "hi")
    events, _ = _collect(client, bad)
    assert events[-1]["event"] == "error" and "no-such-model" in events[-1]["message"]

    bad_params = client.generate(str(model), "hi", top_p=5.0)
    events, _ = _collect(client, bad_params)
    assert events[-1] == {"id": bad_params, "event": "error", "message": "top_p = 5.0: must be in (0, 1]"}

    too_long = client.generate(str(model), "word " * 2100)
    events, _ = _collect(client, too_long)
    assert "this model's context is 2048 tokens" in events[-1]["message"]

    again = client.generate(str(model), "def ", max_new_tokens=8, seed=1, temperature=0.0, top_k=0)
    _, text_again = _collect(client, again)
    assert text_again == text  # still serving, and deterministic
    assert client.running


def test_gan_grids_by_seed_and_interpolation(runs_dir, tmp_path, client):
    config = validate(TINY_GAN | {"run": TINY_GAN["run"] | {"steps": 5}})
    run = create_run(runs_dir, dump_toml(config), "g")
    run_worker(run)
    ckpt = run.checkpoints()[-1].path
    rid = client.gan_grid(ckpt, tmp_path / "grid.png", n=4, seed=9)
    events = list(client.events(rid))
    assert events[-1]["event"] == "image"
    assert Image.open(tmp_path / "grid.png").size == (2 * 32 + 3 * 2,) * 2
    rid = client.gan_interpolate(ckpt, tmp_path / "lerp.png", seed_a=1, seed_b=2, steps=6)
    assert list(client.events(rid))[-1]["event"] == "image"
    assert Image.open(tmp_path / "lerp.png").size == (6 * 32 + 7 * 2, 32 + 2 * 2)
    rid = client.gan_grid(tmp_path, tmp_path / "x.png")
    assert "not a GAN checkpoint" in list(client.events(rid))[-1]["message"]


def test_client_reports_a_dead_helper(tmp_path, client):
    model = make_tiny_model(tmp_path / "tiny", "gpt2")
    rid = client.generate(str(model), "The ", max_new_tokens=50_000, seed=3)  # streams ~2,000 tokens
    helper = client._proc
    events = []
    for event in client.events(rid):
        events.append(event)
        if event["event"] == "text" and helper.poll() is None:
            helper.kill()
    assert events[-1]["event"] == "error" and "helper exited" in events[-1]["message"]
    ok = client.generate(str(model), "The ", max_new_tokens=3)  # restarts on the next request
    last = list(client.events(ok))[-1]
    assert last["event"] == "done", last


def test_idle_helper_exits_and_the_next_request_starts_it_again(tmp_path, runs_dir):
    model = make_tiny_model(tmp_path / "tiny", "gpt2")
    client = GenerationClient(runs_dir=runs_dir, idle_s=0.5)
    try:
        first = client.generate(str(model), "def ", max_new_tokens=4, seed=1, temperature=0.0, top_k=0)
        events, text = _collect(client, first)
        assert events[-1]["event"] == "done" and text
        helper = client._proc
        wait_for(lambda: not client.running, 60, "the idle helper to be shut down")
        wait_for(lambda: helper.returncode is not None, 60, "the old helper to be reaped")
        assert helper.returncode == 0  # a clean shutdown, not a kill
        assert not psutil.pid_exists(helper.pid) or psutil.Process(helper.pid).status() != psutil.STATUS_ZOMBIE

        again = client.generate(str(model), "def ", max_new_tokens=4, seed=1, temperature=0.0, top_k=0)
        events, text_again = _collect(client, again)
        assert [e["event"] for e in events][0] == "loaded"  # the user sees "loading model…" again
        assert events[-1]["event"] == "done" and text_again == text
        assert client._proc is not helper
    finally:
        client.close()
