#!/usr/bin/env python3
"""Interop fixtures for seckit::webhook, made once and committed
(tests/fixtures/webhook/). Tests never run this.

    python3 scripts/webhook-fixtures.py

It creates a throwaway venv, installs the `standardwebhooks` and `stripe`
packages, and writes:

- standard.json: deliveries signed by the `standardwebhooks` package
  (UTF-8 bodies; it only takes text) and by Python's `hmac` over raw bytes
  (bodies that are not UTF-8), which seckit must verify; plus deliveries
  signed by `seckit webhook sign` (built here with cargo) that the
  `standardwebhooks` package verified, which seckit must sign again byte
  for byte.
- stripe.json: `Stripe-Signature` headers computed with `hmac` per Stripe's
  documentation and accepted by the `stripe` package's verify_header.
- github.json: `X-Hub-Signature-256` headers computed with `hmac`.
- turn.json: TURN REST credentials (username, base64 HMAC-SHA1) computed
  with `hmac`, as coturn checks them.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "webhook")


def in_venv():
    """Re-run this script inside a throwaway venv with the packages."""
    if os.environ.get("SECKIT_FIXTURE_VENV"):
        return
    d = tempfile.mkdtemp(prefix="seckit-webhook-venv-")
    venv.create(d, with_pip=True)
    py = os.path.join(d, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q", "standardwebhooks==1.1.0", "stripe==16.1.0"])
    env = dict(os.environ, SECKIT_FIXTURE_VENV="1")
    sys.exit(subprocess.call([py, __file__], env=env))


def b64(b):
    return base64.b64encode(b).decode()


def seckit(*args, stdin=b""):
    cmd = ["cargo", "run", "-q", "--features", "cli", "--bin", "seckit", "--", *args]
    return subprocess.run(cmd, cwd=ROOT, input=stdin, capture_output=True, check=True).stdout.decode()


def main():
    in_venv()
    from datetime import datetime, timezone

    import stripe
    from standardwebhooks.webhooks import Webhook

    os.makedirs(OUT, exist_ok=True)
    rnd = lambda n: os.urandom(n)

    # --- Standard Webhooks -------------------------------------------------
    cases = []
    for i, (n, body) in enumerate([
        (24, '{"type":"contact.created","data":{"id":"1f81eb52"}}'),
        (32, ""),
        (48, '{"text":"h\u00e9llo \u2603 \U0001F600"}'),
        (64, "x" * 4096),
    ]):
        secret = "whsec_" + b64(rnd(n))
        msg_id = f"msg_{b64(rnd(12)).replace('+', 'A').replace('/', 'B').rstrip('=')}"
        ts = 1_700_000_000 + i * 1000
        sig = Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), body)
        cases.append({"by": "standardwebhooks", "secret": secret, "id": msg_id, "timestamp": ts,
                      "body_b64": b64(body.encode()), "signature": sig})
    # Bodies that are not UTF-8: Python's hmac over the raw bytes, per spec.
    for i, body in enumerate([bytes(range(256)), b"\xff\xfe\x00\x80", rnd(1000)]):
        key = rnd(32)
        secret = "whsec_" + b64(key)
        msg_id = f"msg_bin{i}"
        ts = 1_710_000_000 + i
        mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
        cases.append({"by": "python-hmac", "secret": secret, "id": msg_id, "timestamp": ts,
                      "body_b64": b64(body), "signature": "v1," + b64(mac)})
    # Rotation: two signatures, the second made with the receiver's secret.
    old, new = rnd(32), rnd(32)
    ts = 1_720_000_000
    body = b'{"rotated":true}'
    sigs = " ".join("v1," + b64(hmac.new(k, f"msg_rot.{ts}.".encode() + body, hashlib.sha256).digest())
                    for k in (old, new))
    cases.append({"by": "python-hmac", "secret": "whsec_" + b64(new), "id": "msg_rot",
                  "timestamp": ts, "body_b64": b64(body), "signature": sigs})

    # seckit signs; the standardwebhooks package must accept (now, since it
    # checks the timestamp against its own clock).
    signed_by_seckit = []
    with tempfile.TemporaryDirectory() as d:
        for i, body in enumerate(['{"hello":"world"}', "plain text, not JSON", "\u00fcnicode \u2713"]):
            secret = "whsec_" + b64(rnd(32))
            path = os.path.join(d, f"s{i}")
            with open(path, "w") as f:
                f.write(secret)
            ts = int(time.time())
            out = json.loads(seckit("--json", "webhook", "sign", "--secret-file", path,
                                    "--id", f"msg_seckit{i}", "--timestamp", str(ts),
                                    stdin=body.encode()))
            Webhook(secret).verify(body.encode(), out, json_parse=False)  # raises if refused
            signed_by_seckit.append({"secret": secret, "id": out["webhook-id"],
                                     "timestamp": int(out["webhook-timestamp"]),
                                     "body_b64": b64(body.encode()),
                                     "signature": out["webhook-signature"],
                                     "verified_by": "standardwebhooks 1.1.0"})
    with open(os.path.join(OUT, "standard.json"), "w") as f:
        json.dump({"signed_elsewhere": cases, "signed_by_seckit": signed_by_seckit}, f, indent=1)

    # --- Stripe -------------------------------------------------------------
    stripe_cases = []
    for i, body in enumerate(['{"id":"evt_1","object":"event"}', "", '{"a":"\u00e9"}']):
        secret = "whsec_" + "".join("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 62]
                                    for b in rnd(32))
        t = 1_700_000_000 + i
        v1 = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
        header = f"t={t},v1={v1},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=None)  # raises if refused
        stripe_cases.append({"secret": secret, "timestamp": t, "body_b64": b64(body.encode()),
                             "header": header, "verified_by": "stripe 16.1.0"})
    with open(os.path.join(OUT, "stripe.json"), "w") as f:
        json.dump(stripe_cases, f, indent=1)

    # --- GitHub -------------------------------------------------------------
    gh = []
    for body in [b'{"zen":"Keep it logically awesome."}', bytes(range(200)), b""]:
        secret = b64(rnd(32))
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        gh.append({"secret": secret, "body_b64": b64(body), "header": sig})
    with open(os.path.join(OUT, "github.json"), "w") as f:
        json.dump(gh, f, indent=1)

    # --- TURN REST ----------------------------------------------------------
    turn = []
    for user, ttl in [("alice", 3600), ("bob@example.com", 86400), ("device-42", 60)]:
        secret = b64(rnd(32))
        now = 1_700_000_000
        username = f"{now + ttl}:{user}"
        password = b64(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest())
        turn.append({"secret": secret, "user": user, "ttl": ttl, "now": now,
                     "username": username, "password": password})
    with open(os.path.join(OUT, "turn.json"), "w") as f:
        json.dump(turn, f, indent=1)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
