"""gRPC C-core as an xDS peer for Shoal's interop tests, client or server.

Debian's python3-grpcio (gRPC C-core) dials `xds:///host:port` targets with the bootstrap named by
GRPC_XDS_BOOTSTRAP (gRFC A27) and makes unary calls with raw bytes in and out, so no generated
code is needed; or it serves as an xDS-enabled server (gRFC A36), which takes its inbound
Listener (and its RBAC, gRFC A41) from the control plane. It reads one JSON command per line on
stdin and answers one JSON line on stdout:

  {"op": "calls", "target": "xds:///reviews:9080", "method": "/shoal.interop.v1.Who/Name",
   "count": 100, "concurrency": 10, "metadata": {"end-user": "jason"}, "timeout_ms": 5000}
  -> {"ok": {"<response text>": n, ...}, "errors": {"UNAVAILABLE": n, ...},
      "messages": {"UNAVAILABLE": "<first message>"}, "ms": {"min": .., "p50": .., "max": ..}}
  {"op": "serve", "port": 50051, "name": "core-server"}
  -> {"serving": true}: every call of /shoal.interop.v1.Who/Name is answered with `name`
  {"op": "quit"}

Channels are kept per target for the life of the process, as an application keeps them, so
config pushed later reaches the same channel. Each channel is watched for connectivity changes:
that keeps a thread polling C-core, so the xDS stream is read while no call is running (without
it, an idle grpcio process reads config pushes only on the client channel's 5 s backup poll).
"""

import json
import sys
import time
from concurrent import futures

import grpc

WHO = "/shoal.interop.v1.Who/Name"
channels = {}
servers = []


def stub(target, method):
    channel = channels.get(target)
    if channel is None:
        channel = channels[target] = grpc.insecure_channel(target)
        channel.subscribe(lambda _state: None, try_to_connect=True)
    return channel.unary_unary(method)


def calls(cmd):
    call = stub(cmd["target"], cmd.get("method", WHO))
    metadata = tuple((k, v) for k, v in cmd.get("metadata", {}).items())
    timeout = cmd.get("timeout_ms", 5000) / 1000
    count, concurrency = cmd.get("count", 1), max(1, cmd.get("concurrency", 1))
    ok, errors, messages, times = {}, {}, {}, []
    started = 0
    while started < count:
        batch = []
        for _ in range(min(concurrency, count - started)):
            batch.append((time.monotonic(), call.future(b"", timeout=timeout, metadata=metadata)))
            started += 1
        for begun, future in batch:
            try:
                text = future.result().decode("utf-8", "replace")
                ok[text] = ok.get(text, 0) + 1
            except grpc.RpcError as e:
                code = e.code().name
                errors[code] = errors.get(code, 0) + 1
                messages.setdefault(code, e.details() or "")
            times.append((time.monotonic() - begun) * 1000)
    times.sort()
    ms = {"min": times[0], "p50": times[len(times) // 2], "max": times[-1]} if times else {}
    return {"ok": ok, "errors": errors, "messages": messages, "ms": ms}


class Who(grpc.GenericRpcHandler):
    def __init__(self, name):
        self.name = name.encode("utf-8")

    def service(self, details):
        if details.method != WHO:
            return None
        return grpc.unary_unary_rpc_method_handler(lambda _request, _context: self.name)


def serve(cmd):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), xds=True)
    server.add_generic_rpc_handlers((Who(cmd["name"]),))
    credentials = grpc.xds_server_credentials(grpc.insecure_server_credentials())
    server.add_secure_port("127.0.0.1:%d" % cmd["port"], credentials)
    server.start()
    servers.append(server)
    return {"serving": True}


OPS = {"calls": calls, "serve": serve}


def main():
    print(json.dumps({"ready": True, "grpc": grpc.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd.get("op") == "quit":
            break
        try:
            op = OPS.get(cmd.get("op"))
            answer = op(cmd) if op else {"error": "unknown op %r" % cmd.get("op")}
        except Exception as e:  # a bad command must not take the peer down mid-test
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(answer), flush=True)
    for channel in channels.values():
        channel.close()
    for server in servers:
        server.stop(0)


if __name__ == "__main__":
    main()
