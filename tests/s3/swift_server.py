"""One OpenStack Swift node with the s3api middleware on loopback, behind a
stunnel TLS terminator whose certificate comes from a CA made here with
openssl (see ../../../shared/notes/s3-test-server.md for the facts used).

    with SwiftServer() as s3:          # or: python3 swift_server.py (prints the endpoint, runs until ^C)
        s3.endpoint  -> "https://localhost:PORT"   (TLS, verify with s3.ca_file)
        s3.client().put_bucket("archive")

Also a tiny independent SigV4 client (stdlib only) so the tests can read
objects back without trusting dockd's own S3 code."""
import datetime
import hashlib
import hmac
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

ACCESS_KEY = "test:tester"
SECRET_KEY = "testing"
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args, cwd=None):
    subprocess.run(args, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(directory):
    """A throw-away CA and a server certificate for localhost / 127.0.0.1."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
         "-subj", "/CN=dockd test CA", cwd=directory)
    _run("openssl", "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=directory)
    with open(os.path.join(directory, "san.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    _run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "server.pem", "-days", "2", "-extfile", "san.cnf", cwd=directory)
    return os.path.join(directory, "ca.pem")


SERVER_CONF = """[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
devices = {dir}/srv/node
mount_check = false
swift_dir = {dir}/etc
workers = 1
log_level = WARNING
{user}
[pipeline:main]
pipeline = {kind}-server
[app:{kind}-server]
use = egg:swift#{kind}
"""

PROXY_CONF = """[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
swift_dir = {dir}/etc
workers = 1
log_level = WARNING
{user}
[pipeline:main]
pipeline = catch_errors cache s3api tempauth slo proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:slo]
use = egg:swift#slo
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:{memcached}
[filter:s3api]
use = egg:swift#s3api
location = {region}
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
"""


class SwiftServer:
    def __init__(self, directory=None, record_requests=False):
        """record_requests: put a RequestRecorder (self.recorder) between the
        TLS terminator and Swift, to see headers the store ignores."""
        self.record_requests = record_requests
        self.recorder = None
        self.dir = directory or tempfile.mkdtemp(prefix="dockd-swift-")
        self.procs = []
        self.tls_port = free_port()
        self.endpoint = f"https://localhost:{self.tls_port}"
        self.ca_file = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _spawn(self, name, args):
        with open(os.path.join(self.dir, name + ".log"), "ab") as log:
            self.procs.append(subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True))

    def start(self):
        d = self.dir
        etc = os.path.join(d, "etc")
        os.makedirs(os.path.join(d, "srv", "node", "d1"), exist_ok=True)
        os.makedirs(etc, exist_ok=True)
        self.ca_file = make_ca(d)
        with open(os.path.join(etc, "swift.conf"), "w") as f:
            f.write("[swift-hash]\nswift_hash_path_suffix = dockd-test\nswift_hash_path_prefix = dockd\n"
                    "[storage-policy:0]\nname = Policy-0\ndefault = yes\n")
        user = "user = root" if os.geteuid() == 0 else f"user = {os.environ.get('USER', 'nobody')}"
        memcached = free_port()
        ports = {kind: free_port() for kind in ("account", "container", "object", "proxy")}
        for kind in ("account", "container", "object"):
            builder = os.path.join(etc, kind + ".builder")
            _run("swift-ring-builder", builder, "create", "6", "1", "1")
            _run("swift-ring-builder", builder, "add", f"r1z1-127.0.0.1:{ports[kind]}/d1", "100")
            _run("swift-ring-builder", builder, "rebalance")
            conf = os.path.join(etc, kind + "-server.conf")
            with open(conf, "w") as f:
                f.write(SERVER_CONF.format(port=ports[kind], dir=d, user=user, kind=kind))
        with open(os.path.join(etc, "proxy-server.conf"), "w") as f:
            f.write(PROXY_CONF.format(port=ports["proxy"], dir=d, user=user, memcached=memcached, region=REGION))
        behind_tls = ports["proxy"]
        if self.record_requests:
            from request_recorder import RequestRecorder
            self.recorder = RequestRecorder(ports["proxy"])
            behind_tls = self.recorder.port
        with open(os.path.join(d, "stunnel.conf"), "w") as f:
            f.write(f"foreground = yes\npid =\ndebug = 3\n[s3]\naccept = 127.0.0.1:{self.tls_port}\n"
                    f"connect = 127.0.0.1:{behind_tls}\ncert = {d}/server.pem\nkey = {d}/server.key\n")
        mc_user = ["-u", "root"] if os.geteuid() == 0 else []
        self._spawn("memcached", ["memcached", "-l", "127.0.0.1", "-p", str(memcached), "-U", "0", *mc_user])
        for kind in ("account", "container", "object", "proxy"):
            self._spawn(kind, [f"swift-{kind}-server", os.path.join(etc, f"{kind}-server.conf")])
        self._spawn("stunnel", ["stunnel", os.path.join(d, "stunnel.conf")])
        deadline = time.monotonic() + 60
        while True:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{p.args[0]} exited {p.returncode}; logs in {d}")
            try:
                status, _, body = self.client().request("GET", "/")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Swift did not answer within 60 s; logs in {d}")
            time.sleep(0.2)

    def stop(self):
        if self.recorder:
            self.recorder.close()
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.procs = []
        if not os.environ.get("DOCKD_KEEP_TEST_DIRS"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, secret=SECRET_KEY):
        return S3Client("localhost", self.tls_port, self.ca_file, ACCESS_KEY, secret)

    def credentials_file(self, path, secret=SECRET_KEY):
        with open(path, "w") as f:
            f.write(f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {secret}\n")
        os.chmod(path, 0o600)
        return path


class S3Client:
    """Path-style SigV4 requests over verified TLS (AWS SigV4 documentation)."""

    def __init__(self, host, port, ca_file, access_key, secret_key):
        self.host, self.port = host, port
        self.ctx = ssl.create_default_context(cafile=ca_file)
        self.access_key, self.secret_key = access_key, secret_key

    def request(self, method, path, body=b"", query=None, headers=None):
        query = query or {}
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        payload = hashlib.sha256(body).hexdigest()
        h = {"host": f"{self.host}:{self.port}", "x-amz-date": amz_date, "x-amz-content-sha256": payload}
        h.update({k.lower(): v for k, v in (headers or {}).items()})
        uri = urllib.parse.quote(path, safe="/~")
        qs = "&".join(f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}"
                      for k, v in sorted(query.items()))
        names = ";".join(sorted(h))
        canonical = "\n".join([method, uri, qs, "".join(f"{k}:{h[k].strip()}\n" for k in sorted(h)), names, payload])
        scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + self.secret_key).encode()
        for part in (amz_date[:8], REGION, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        h["authorization"] = f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope},SignedHeaders={names},Signature={sig}"
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
        try:
            conn.request(method, uri + ("?" + qs if qs else ""), body=body, headers=h)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def presign(self, method, path, expires_s=3600):
        """A query-string SigV4 URL (UNSIGNED-PAYLOAD) that curl can use as is."""
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
        q = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{self.access_key}/{scope}",
             "X-Amz-Date": amz_date, "X-Amz-Expires": str(expires_s), "X-Amz-SignedHeaders": "host"}
        qs = "&".join(f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}" for k, v in sorted(q.items()))
        uri = urllib.parse.quote(path, safe="/~")
        canonical = "\n".join([method, uri, qs, f"host:{self.host}:{self.port}\n", "host", "UNSIGNED-PAYLOAD"])
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + self.secret_key).encode()
        for part in (amz_date[:8], REGION, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return f"https://{self.host}:{self.port}{uri}?{qs}&X-Amz-Signature={sig}"

    def put_bucket(self, bucket):
        deadline = time.monotonic() + 30
        while True:  # a freshly started node answers 503 until every server is up
            status, _, body = self.request("PUT", f"/{bucket}")
            if status == 200:
                return
            if status < 500 or time.monotonic() > deadline:
                raise AssertionError(f"create bucket {bucket}: {status} {body!r}")
            time.sleep(0.2)

    def put_object(self, bucket, key, data, headers=None):
        status, _, body = self.request("PUT", f"/{bucket}/{key}", data,
                                       headers={"content-type": "application/octet-stream", **(headers or {})})
        if status != 200:
            raise AssertionError(f"put {key}: {status} {body!r}")

    def get_object(self, bucket, key):
        status, headers, body = self.request("GET", f"/{bucket}/{key}")
        return status, headers, body

    def head_object(self, bucket, key):
        status, headers, _ = self.request("HEAD", f"/{bucket}/{key}")
        return status, headers

    def list_keys(self, bucket, prefix=""):
        import xml.etree.ElementTree as ET
        keys, marker = [], ""
        while True:
            q = {"prefix": prefix}
            if marker:
                q["marker"] = marker
            status, _, body = self.request("GET", f"/{bucket}", query=q)
            if status != 200:
                raise AssertionError(f"list {bucket}: {status} {body!r}")
            root = ET.fromstring(body)
            ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
            page = [c.find(ns + "Key").text for c in root.findall(ns + "Contents")]
            keys += page
            if root.findtext(ns + "IsTruncated") != "true" or not page:
                return keys
            marker = page[-1]

    def multipart_uploads(self, bucket):
        import xml.etree.ElementTree as ET
        status, _, body = self.request("GET", f"/{bucket}", query={"uploads": ""})
        root = ET.fromstring(body)
        ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        return [u.findtext(ns + "Key") for u in root.findall(ns + "Upload")]


if __name__ == "__main__":
    with SwiftServer() as server:
        server.client().put_bucket(sys.argv[1] if len(sys.argv) > 1 else "archive")
        print(f"endpoint {server.endpoint} ca_file {server.ca_file} key {ACCESS_KEY} secret {SECRET_KEY}", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
