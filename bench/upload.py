#!/usr/bin/env python3
"""Upload benchmark (DESIGN §10): dockd's S3 upload of a staged file to a local
OpenStack Swift (s3api, TLS through stunnel, started here) against the
baseline of a plain `curl -T` PUT of the same bytes to the same store over the
same TLS terminator, measured in the same run; then the bytes dockd re-sends
after a kill -9 in the middle of a multipart upload (through a counting TCP
proxy), and the rate under upload.bandwidth_limit.

usage: bench/upload.py [--mib 512] [--part-size 64MiB]
Needs a built tree (scripts/build.sh; DOCKD_BUILD to pick another build dir)
and the Swift packages from scripts/bootstrap.sh."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "s3"))
from fault_proxy import FaultProxy  # noqa: E402
from harness import Station, media_files, wait_for  # noqa: E402
from swift_server import SwiftServer  # noqa: E402

MiB = 1 << 20


def parse_size(text):
    units = {"MiB": MiB, "GiB": 1024 * MiB, "KiB": 1024}
    for u, m in units.items():
        if text.endswith(u):
            return int(text[:-len(u)]) * m
    return int(text)


def upload_yaml(server, bucket, port, part_size, bandwidth=0):
    creds = server.credentials_file(os.path.join(server.dir, f"creds-{bucket}"))
    return f"""upload:
  targets: [{{url: "s3://{bucket}/bench", endpoint: "https://localhost:{port}", region: us-east-1,
              credentials_file: {creds}, ca_file: {server.ca_file}}}]
  part_size: {part_size}
  bandwidth_limit: {bandwidth}
  concurrency: 2
  retry: {{initial: 200ms, max: 2s}}"""


def uploaded_seconds(st):
    """Upload time of the one file, from the audit chain: staged -> archived."""
    with st.db() as db:
        rows = db.execute("SELECT kind, at FROM audit WHERE kind IN ('file_staged', 'staged', 'archived') "
                          "ORDER BY seq").fetchall()
    from datetime import datetime
    t = {k: datetime.fromisoformat(a.replace("Z", "+00:00")) for k, a in rows}
    start = t.get("file_staged", t.get("staged"))
    return (t["archived"] - start).total_seconds()


def dockd_run(server, size, part_size, proxy=None, kill_after_parts=None, bandwidth=0):
    bucket = f"bench{int(time.time() * 1000) % 10**9}"
    server.client().put_bucket(bucket)
    port = proxy.port if proxy else server.tls_port
    st = Station(bays=1, verify="none", upload=upload_yaml(server, bucket, port, part_size, bandwidth))
    try:
        st.start()
        d = st.build(1, "BENCH001", "--files", "0", "--big-file", size, "--seed", 7)
        st.plug(1, d)
        if kill_after_parts:
            def parts():
                with st.db() as db:
                    return db.execute("SELECT COUNT(*) FROM upload_parts").fetchone()[0] >= kill_after_parts
            wait_for(parts, 600, "parts committed", 0.02)
            time.sleep(0.3)  # well into the next part
            st.kill9()
            st.start()
        def archived():
            with st.db() as db:
                return db.execute("SELECT COUNT(*) FROM files WHERE state='archived'").fetchone()[0] == 1
        wait_for(archived, 1200, "the file archived", 0.05)
        return uploaded_seconds(st)
    finally:
        st.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--part-size", default="64MiB")
    args = ap.parse_args()
    size = args.mib * MiB
    part = parse_size(args.part_size)
    with SwiftServer() as server:
        client = server.client()
        client.put_bucket("curlbase")
        with tempfile.NamedTemporaryFile(dir=server.dir) as f:
            f.write(os.urandom(size))
            f.flush()
            url = client.presign("PUT", "/curlbase/big.bin")
            t0 = time.monotonic()
            subprocess.run(["curl", "-sS", "--fail", "--cacert", server.ca_file, "-T", f.name, url, "-o", "/dev/null"],
                           check=True)
            curl_s = time.monotonic() - t0
        dockd_s = dockd_run(server, size, args.part_size)
        print(f"upload of {args.mib} MiB to local Swift (s3api) over TLS, part_size {args.part_size}:")
        print(f"  baseline curl -T (one PUT)       {curl_s:7.2f} s  {size / curl_s / 1e6:8.1f} MB/s")
        print(f"  dockd (hash pass + multipart)    {dockd_s:7.2f} s  {size / dockd_s / 1e6:8.1f} MB/s"
              f"  ({curl_s / dockd_s * 100:.0f} % of curl)")
        cap = 32 * MiB
        capped_size = min(size, 256 * MiB)
        capped_s = dockd_run(server, capped_size, args.part_size, bandwidth=cap)
        print(f"  dockd with bandwidth_limit 32MiB: {capped_size / capped_s / MiB:6.1f} MiB/s measured "
              f"({capped_size / capped_s / cap * 100:.0f} % of the cap; includes the hash pass and requests)")
        proxy = FaultProxy(server.tls_port)
        try:
            dockd_run(server, size, args.part_size, proxy=proxy, kill_after_parts=max(1, size // part // 2))
            resent = proxy.bytes_up - size
            print(f"  kill -9 mid-upload, restart: {proxy.bytes_up} bytes sent for a {size}-byte file, "
                  f"re-sent {resent} bytes = {resent / part:.2f} part(s) (bound: 1 part + request overhead)")
        finally:
            proxy.close()


if __name__ == "__main__":
    main()
