"""Talking to a dockd API from the e2e tests: tokens, raw requests, JSON replies."""
import http.client
import json
import os
import re

VIEWER = "viewer-token-0123456789abcdef"
MANAGER = "manager-token-0123456789abcdef"


def with_tokens(st):
    """Rewrites the harness config so the API needs bearer tokens (file mode 0600)."""
    tokens = os.path.join(st.dir, "api.tokens")
    fd = os.open(tokens, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"# token role name\n{VIEWER} viewer wall-screen\n{MANAGER} manager alice\n")
    with open(st.config) as f:
        text = f.read()
    text = re.sub(r"api: \{listen: (\"[^\"]+\")\}", rf"api: {{listen: \1, tokens_file: {tokens}}}", text)
    with open(st.config, "w") as f:
        f.write(text)


def request(st, method, path, token=None, body=None, headers=None, timeout=10):
    """(status, headers, body bytes) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", st.port, timeout=timeout)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        h.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def api_refuses_anonymous(st):
    if st.proc.poll() is not None:
        raise AssertionError(f"dockd exited with {st.proc.returncode}:\n{st.log()}")
    try:
        return request(st, "GET", "/api/v1/station")[0] == 401
    except OSError:
        return False


def get_json(st, path, token=MANAGER, expect=200, **kw):
    status, headers, data = request(st, "GET", path, token, **kw)
    if status != expect:
        raise AssertionError(f"GET {path}: {status} {data[:300]!r}")
    assert headers["content-type"].startswith("application/json"), headers
    return json.loads(data)
