#!/usr/bin/env python3
"""A FAKE Qdrant server for tests: it is not Qdrant and must never be benchmarked as if
it were. No real Qdrant server can be installed on the CI machine (Qdrant is packaged
neither in Debian nor on PyPI; it ships as a Rust binary or a container image), so the
tests of FactoryBench's qdrant clients run against this stand-in instead.

It implements only the endpoints FactoryBench's qdrant clients use, following Qdrant's
documented REST API (https://api.qdrant.tech/api-reference and the OpenAPI file
docs/redoc/master/openapi.json in github.com/qdrant/qdrant) for request and response
JSON, status codes and error messages:

  GET    /                                   {"title": "qdrant - vector search engine", "version": ...}
  GET    /healthz, /livez                    200 text/plain "healthz check passed"
  GET    /readyz                             200 text/plain "all shards are ready"
  GET    /collections                        {"collections": [{"name": ...}]}
  PUT    /collections/{name}                 create: {"vectors": {"size": N, "distance": ...}}
  GET    /collections/{name}                 collection info (status, points_count, config)
  GET    /collections/{name}/exists          {"exists": bool}
  DELETE /collections/{name}                 true, or false if it did not exist
  PUT    /collections/{name}/points          upsert {"points": [...]} or {"batch": {...}}
  POST   /collections/{name}/points/search   legacy search: deprecated since Qdrant 1.14 and
                                             left out of its OpenAPI file since 1.19, though
                                             the server still answers it
  POST   /collections/{name}/points/search/batch
  POST   /collections/{name}/points/query    Query API: {"points": [...]}
  POST   /collections/{name}/points/query/batch
  POST   /collections/{name}/points/count    {"count": n}

Successful answers are {"result": ..., "status": "ok", "time": seconds}; failures are
{"status": {"error": "..."}, "time": seconds} with Qdrant's status codes: 404 for a
missing collection, 409 for creating one that exists, 400 for bad input (such as a
vector of the wrong dimension) or unparseable JSON, 422 for values that fail validation.

Search is exact brute force, done as Qdrant defines the distances: Cosine vectors are
normalised on upsert (and the query too) and scored by dot product, higher better; Dot
is the raw dot product, higher better; Euclid's score is the Euclidean distance and
Manhattan's the L1 distance, lower better. Only a single unnamed dense vector per
collection is supported, and filters only in a small subset (must / should / must_not
with match value / any / except, range and has_id); anything else is refused with a
400 that says it is this fake's limit.

Not faithful: everything is in memory, every write is applied before the answer (a
request without ?wait=true still answers "acknowledged", as Qdrant does), and vectors
are kept as Python floats rather than float32.

usage: fake_qdrant.py --port PORT [--host 127.0.0.1] [--delay-ms MS]
  --delay-ms adds a fixed service time to every request except the health probes.
"""
import argparse
import heapq
import http.server
import json
import math
import operator
import signal
import sys
import threading
import time
import urllib.parse
import uuid

VERSION = "1.x-fake"
DISTANCES = ("Cosine", "Euclid", "Dot", "Manhattan")
LARGER_IS_BETTER = {"Cosine": True, "Dot": True, "Euclid": False, "Manhattan": False}
INVALID_NAME_CHARS = '<>:"/\\|?*\0\x1f'


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def not_found_collection(name):
    return ApiError(404, f"Not found: Collection `{name}` doesn't exist!")


def format_error(what):
    return ApiError(400, f"Format error in JSON body: {what}")


def fake_limit(what):
    return ApiError(400, f"Wrong input: the FAKE Qdrant test server does not support {what}")


# ---------------------------------------------------------------- points and vectors

def parse_point_id(value):
    """An unsigned integer or a UUID string (Qdrant's ExtendedPointId)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 64:
        return value
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise format_error(f"value {json.dumps(value)} is not a valid point ID, "
                       "valid values are either an unsigned integer or a UUID")


def id_order(point_id):
    # Qdrant orders integer ids before UUIDs.
    return (0, point_id, "") if isinstance(point_id, int) else (1, 0, point_id)


def parse_dense_vector(value, what="vector"):
    if isinstance(value, dict):
        # Named vectors: only the default (unnamed, "") vector exists here.
        names = [n for n in value if n != ""]
        if names:
            raise ApiError(400, f"Wrong input: Not existing vector name error: {names[0]}")
        if "" not in value:
            raise format_error(f"{what}: no vector given")
        value = value[""]
    if not isinstance(value, list) or not value:
        raise format_error(f"{what}: expected a non-empty array of numbers")
    out = []
    for x in value:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise format_error(f"{what}: expected an array of finite numbers")
        out.append(float(x))
    return out


def check_dim(vector, size):
    if len(vector) != size:
        raise ApiError(400, f"Wrong input: Vector dimension error: expected dim: {size}, "
                            f"got {len(vector)}")


def preprocess(vector, distance):
    if distance != "Cosine":
        return vector
    norm2 = sum(x * x for x in vector)
    if norm2 == 0.0 or abs(norm2 - 1.0) <= 1e-12:
        return vector
    norm = math.sqrt(norm2)
    return [x / norm for x in vector]


def score(query, vector, distance):
    if distance in ("Cosine", "Dot"):
        return sum(map(operator.mul, query, vector))
    if distance == "Euclid":
        return math.sqrt(sum((a - b) * (a - b) for a, b in zip(query, vector)))
    return sum(abs(a - b) for a, b in zip(query, vector))


# ---------------------------------------------------------------- filters (a small subset)

def payload_values(payload, key):
    values = [payload]
    for part in key.split("."):
        nxt = []
        for v in values:
            if part.endswith("[]"):
                v = v.get(part[:-2]) if isinstance(v, dict) else None
                if isinstance(v, list):
                    nxt.extend(v)
            elif isinstance(v, dict) and part in v:
                nxt.append(v[part])
        values = nxt
    flat = []
    for v in values:
        flat.extend(v if isinstance(v, list) else [v])
    return flat


def check_condition(cond, point_id, payload):
    if not isinstance(cond, dict):
        raise format_error("a filter condition must be an object")
    if any(k in cond for k in ("must", "should", "must_not", "min_should")):
        return check_filter(cond, point_id, payload)
    if "has_id" in cond:
        return point_id in {parse_point_id(i) for i in cond["has_id"]}
    if "key" in cond and "match" in cond:
        m = cond["match"]
        values = payload_values(payload or {}, cond["key"])
        if "value" in m:
            return m["value"] in values
        if "any" in m:
            return any(v in m["any"] for v in values)
        if "except" in m:
            return bool(values) and all(v not in m["except"] for v in values)
        raise fake_limit(f"the match condition {json.dumps(m)}")
    if "key" in cond and "range" in cond:
        r = cond["range"]
        nums = [v for v in payload_values(payload or {}, cond["key"])
                if isinstance(v, (int, float)) and not isinstance(v, bool)]
        def ok(v):
            return ((r.get("gt") is None or v > r["gt"]) and (r.get("gte") is None or v >= r["gte"])
                    and (r.get("lt") is None or v < r["lt"]) and (r.get("lte") is None or v <= r["lte"]))
        return any(ok(v) for v in nums)
    raise fake_limit(f"the filter condition {json.dumps(cond)}")


def as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def check_filter(flt, point_id, payload):
    if flt is None:
        return True
    if not isinstance(flt, dict):
        raise format_error("filter must be an object")
    if flt.get("min_should") is not None:
        raise fake_limit("min_should in filters")
    must = as_list(flt.get("must"))
    should = as_list(flt.get("should"))
    must_not = as_list(flt.get("must_not"))
    if not all(check_condition(c, point_id, payload) for c in must):
        return False
    if should and not any(check_condition(c, point_id, payload) for c in should):
        return False
    return not any(check_condition(c, point_id, payload) for c in must_not)


# ---------------------------------------------------------------- collections

class Collection:
    def __init__(self, name, size, distance, body):
        self.name = name
        self.size = size
        self.distance = distance
        self.body = body
        self.points = {}        # id -> (vector, payload, version)
        self.next_operation = 0

    def info(self):
        vectors = {"size": self.size, "distance": self.distance}
        for key in ("on_disk", "datatype", "multivector_config", "hnsw_config", "quantization_config"):
            if self.body["vectors"].get(key) is not None:
                vectors[key] = self.body["vectors"][key]
        return {
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": 0,
            "points_count": len(self.points),
            "segments_count": 1,
            "config": {
                "params": {
                    "vectors": vectors,
                    "shard_number": self.body.get("shard_number") or 1,
                    "replication_factor": self.body.get("replication_factor") or 1,
                    "write_consistency_factor": self.body.get("write_consistency_factor") or 1,
                    "on_disk_payload": True if self.body.get("on_disk_payload") is None
                    else bool(self.body["on_disk_payload"]),
                },
                "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000,
                                "max_indexing_threads": 0, "on_disk": False},
                "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                                     "default_segment_number": 0, "max_segment_size": None,
                                     "memmap_threshold": None, "indexing_threshold": 10000,
                                     "flush_interval_sec": 5, "max_optimization_threads": None},
                "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
                "quantization_config": None,
            },
            "payload_schema": {},
        }


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.collections = {}

    def get(self, name):
        coll = self.collections.get(name)
        if coll is None:
            raise not_found_collection(name)
        return coll


STORE = Store()


def validate_collection_name(name):
    if not 1 <= len(name) <= 255:
        raise ApiError(422, "Validation error in path parameters: [collection_name: "
                            f"value \"{name}\" invalid, must be from 1 to 255 characters]")
    for c in INVALID_NAME_CHARS:
        if c in name:
            raise ApiError(422, "Validation error in path parameters: [collection_name: "
                                f"collection name cannot contain \"{c}\" char]")


def create_collection(name, body):
    validate_collection_name(name)
    if not isinstance(body, dict):
        raise format_error("expected a JSON object")
    vectors = body.get("vectors")
    if vectors is None:
        raise fake_limit("collections without a dense vector (sparse-only)")
    if not isinstance(vectors, dict):
        raise format_error("data did not match any variant of untagged enum VectorsConfig")
    if "size" not in vectors and "distance" not in vectors:
        raise fake_limit("named vectors; give one unnamed {\"size\": N, \"distance\": ...}")
    size, distance = vectors.get("size"), vectors.get("distance")
    if size is None or distance is None:
        raise format_error("missing field `%s`" % ("size" if size is None else "distance"))
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise format_error("data did not match any variant of untagged enum VectorsConfig")
    if distance not in DISTANCES:
        raise format_error(f"unknown variant `{distance}`, expected one of "
                           "`Cosine`, `Euclid`, `Dot`, `Manhattan`")
    if size == 0:
        raise ApiError(422, "Validation error in JSON body: [vectors.size: value 0 invalid, "
                            "must be 1 or larger]")
    with STORE.lock:
        if name in STORE.collections:
            raise ApiError(409, f"Wrong input: Collection `{name}` already exists!")
        STORE.collections[name] = Collection(name, size, distance, body)
    return True


def upsert(name, body, wait):
    if not isinstance(body, dict):
        raise format_error("expected a JSON object")
    with STORE.lock:
        coll = STORE.get(name)
        size, distance = coll.size, coll.distance
    if "points" in body:
        raw = body["points"]
        if not isinstance(raw, list):
            raise format_error("`points` must be an array")
        items = []
        for p in raw:
            if not isinstance(p, dict) or "id" not in p:
                raise format_error("missing field `id`")
            if "vector" not in p:
                raise format_error("missing field `vector`")
            items.append((p["id"], p["vector"], p.get("payload")))
    elif "batch" in body:
        b = body["batch"]
        if not isinstance(b, dict) or "ids" not in b or "vectors" not in b:
            raise format_error("`batch` needs `ids` and `vectors`")
        ids, vecs = b["ids"], b["vectors"]
        if isinstance(vecs, dict):
            raise fake_limit("named vectors in a batch")
        payloads = b.get("payloads") or [None] * len(ids)
        if not (isinstance(ids, list) and isinstance(vecs, list) and isinstance(payloads, list)):
            raise format_error("`batch` fields must be arrays")
        if not len(ids) == len(vecs) == len(payloads):
            raise ApiError(422, "Validation error in JSON body: [batch: number of ids, "
                                "vectors and payloads must be equal]")
        items = list(zip(ids, vecs, payloads))
    else:
        raise format_error("data did not match any variant of untagged enum PointInsertOperations")
    prepared = []
    for raw_id, raw_vec, payload in items:
        pid = parse_point_id(raw_id)
        vec = parse_dense_vector(raw_vec)
        check_dim(vec, size)
        if payload is not None and not isinstance(payload, dict):
            raise format_error("payload must be a JSON object")
        prepared.append((pid, preprocess(vec, distance), payload))
    with STORE.lock:
        coll = STORE.collections.get(name)
        if coll is None:
            raise not_found_collection(name)
        op = coll.next_operation
        coll.next_operation += 1
        for pid, vec, payload in prepared:
            coll.points[pid] = (vec, payload, op)
    return {"operation_id": op, "status": "completed" if wait else "acknowledged"}


# ---------------------------------------------------------------- search

def select_payload(payload, spec):
    if spec is None or spec is False:
        return None
    payload = payload or {}
    if spec is True:
        return payload
    if isinstance(spec, list):
        return {k: v for k, v in payload.items() if k in spec}
    if isinstance(spec, dict):
        if "include" in spec:
            return {k: v for k, v in payload.items() if k in spec["include"]}
        if "exclude" in spec:
            return {k: v for k, v in payload.items() if k not in spec["exclude"]}
    raise format_error("with_payload: expected a boolean, an array of keys, or include/exclude")


def want_vector(spec):
    if spec is None or spec is False:
        return False
    if spec is True:
        return True
    if isinstance(spec, list):
        return "" in spec
    raise format_error("with_vector: expected a boolean or an array of vector names")


def scored_point(pid, s, vec, payload, version, with_payload, with_vector):
    out = {"id": pid, "version": version, "score": s}
    p = select_payload(payload, with_payload)
    if p is not None:
        out["payload"] = p
    if want_vector(with_vector):
        out["vector"] = vec
    return out


def int_field(req, key, default, minimum):
    value = req.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise format_error(f"invalid value for `{key}`: expected an unsigned integer")
    if value < minimum:
        raise ApiError(422, f"Validation error in JSON body: [{key}: value {value} invalid, "
                            f"must be {minimum} or larger]")
    return value


def nearest(name, query, req, limit, exclude=()):
    """Exact top-`limit` (after `offset`) points for a raw query vector."""
    offset = int_field(req, "offset", 0, 0)
    flt = req.get("filter")
    threshold = req.get("score_threshold")
    with STORE.lock:
        coll = STORE.get(name)
        distance, size = coll.distance, coll.size
        snapshot = list(coll.points.items())
    check_dim(query, size)
    query = preprocess(query, distance)
    larger = LARGER_IS_BETTER[distance]
    scored = []
    for pid, (vec, payload, version) in snapshot:
        if pid in exclude or not check_filter(flt, pid, payload):
            continue
        s = score(query, vec, distance)
        if threshold is not None and (s < threshold if larger else s > threshold):
            continue
        scored.append((s, pid))
    wanted = offset + limit
    if larger:
        top = heapq.nsmallest(wanted, scored, key=lambda t: (-t[0], id_order(t[1])))
    else:
        top = heapq.nsmallest(wanted, scored, key=lambda t: (t[0], id_order(t[1])))
    top = top[offset:]
    points = dict(snapshot)
    out = []
    for s, pid in top:
        vec, payload, version = points[pid]
        out.append(scored_point(pid, s, vec, payload, version,
                                req.get("with_payload"), req.get("with_vector")))
    return out


def search(name, req):
    if not isinstance(req, dict):
        raise format_error("expected a JSON object")
    if "vector" not in req:
        raise format_error("missing field `vector`")
    if "limit" not in req:
        raise format_error("missing field `limit`")
    vec = req["vector"]
    if isinstance(vec, dict) and "vector" in vec:      # named form {"name": ..., "vector": [...]}
        if vec.get("name") not in (None, ""):
            raise ApiError(400, f"Wrong input: Not existing vector name error: {vec['name']}")
        vec = vec["vector"]
    limit = int_field(req, "limit", 10, 1)
    return nearest(name, parse_dense_vector(vec, "vector"), req, limit)


def query(name, req):
    if not isinstance(req, dict):
        raise format_error("expected a JSON object")
    if req.get("prefetch"):
        raise fake_limit("prefetch in the Query API")
    using = req.get("using")
    if using not in (None, ""):
        raise ApiError(400, f"Wrong input: Not existing vector name error: {using}")
    limit = int_field(req, "limit", 10, 1)
    q = req.get("query")
    if isinstance(q, dict):
        if "nearest" not in q:
            raise fake_limit(f"the query kind {sorted(q)}; only nearest is implemented")
        q = q["nearest"]
    if q is None:
        # No query: points ordered by their ids (a scroll), as Qdrant documents.
        offset = int_field(req, "offset", 0, 0)
        with STORE.lock:
            snapshot = sorted(STORE.get(name).points.items(), key=lambda kv: id_order(kv[0]))
        flt = req.get("filter")
        picked = [kv for kv in snapshot if check_filter(flt, kv[0], kv[1][1])][offset:offset + limit]
        return [scored_point(pid, 0.0, vec, payload, version, req.get("with_payload"),
                             req.get("with_vector"))
                for pid, (vec, payload, version) in picked]
    exclude = ()
    if isinstance(q, (int, str)) and not isinstance(q, bool):
        # A point id: search with its stored vector, leaving the point itself out.
        pid = parse_point_id(q)
        with STORE.lock:
            entry = STORE.get(name).points.get(pid)
        if entry is None:
            raise ApiError(404, f"Not found: No point with id {pid} found")
        q, exclude = entry[0], (pid,)
    return nearest(name, parse_dense_vector(q, "query"), req, limit, exclude)


def count(name, req):
    if not isinstance(req, dict):
        raise format_error("expected a JSON object")
    flt = req.get("filter")
    with STORE.lock:
        snapshot = list(STORE.get(name).points.items())
    if flt is None:
        return {"count": len(snapshot)}
    return {"count": sum(1 for pid, (_, payload, _) in snapshot if check_filter(flt, pid, payload))}


def batch(req, key, fn):
    if not isinstance(req, dict) or not isinstance(req.get(key), list):
        raise format_error(f"missing field `{key}`")
    return [fn(r) for r in req[key]]


# ---------------------------------------------------------------- HTTP

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.0

    def version_string(self):
        return "qdrant-fake/" + VERSION

    def log_message(self, format, *args):  # noqa: A002 - quiet: nothing per request
        pass

    def send_body(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj):
        self.send_body(status, json.dumps(obj, separators=(",", ":")).encode(), "application/json")

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(n))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        try:
            length = int(length or 0)
        except ValueError:
            self.close_connection = True
            raise ApiError(400, "Content-Length is not a number")
        return self.rfile.read(length) if length > 0 else b""

    def json_body(self, raw):
        if not raw.strip():
            raise ApiError(400, "Json payload error: Json payload is empty")
        def bad_constant(c):
            raise ValueError(f"{c} is not valid JSON")
        try:
            return json.loads(raw, parse_constant=bad_constant)
        except (ValueError, UnicodeDecodeError) as e:
            raise format_error(str(e))

    def handle_any(self):
        started = time.perf_counter()
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        params = urllib.parse.parse_qs(url.query)
        try:
            raw = self.read_body()
        except ApiError as e:
            return self.send_json(e.status, {"status": {"error": e.message}, "time": 0.0})
        method = self.command
        if path in ("/healthz", "/livez", "/readyz") and method in ("GET", "HEAD"):
            text = "all shards are ready" if path == "/readyz" else "healthz check passed"
            return self.send_body(200, text.encode(), "text/plain; charset=utf-8")
        if self.delay:
            time.sleep(self.delay)
        if path == "/" and method in ("GET", "HEAD"):
            return self.send_json(200, {"title": "qdrant - vector search engine", "version": VERSION})
        parts = [urllib.parse.unquote(p) for p in path.split("/")[1:]]
        try:
            result = self.route(method, parts, params, raw)
        except ApiError as e:
            return self.send_json(e.status, {"status": {"error": e.message},
                                             "time": time.perf_counter() - started})
        except Exception as e:  # a bug in the fake: answer like Qdrant's service error
            return self.send_json(500, {"status": {"error": f"Service internal error: {e!r}"},
                                        "time": time.perf_counter() - started})
        if result is NO_ROUTE:
            return self.send_body(404, b"", "text/plain")
        self.send_json(200, {"result": result, "status": "ok",
                             "time": time.perf_counter() - started})

    def route(self, method, parts, params, raw):
        n = len(parts)
        if parts[:1] != ["collections"]:
            return NO_ROUTE
        if n == 1:
            if method != "GET":
                return NO_ROUTE
            with STORE.lock:
                names = sorted(STORE.collections)
            return {"collections": [{"name": x} for x in names]}
        name = parts[1]
        if n == 2:
            if method == "PUT":
                return create_collection(name, self.json_body(raw))
            if method == "GET":
                with STORE.lock:
                    return STORE.get(name).info()
            if method == "DELETE":
                with STORE.lock:
                    return STORE.collections.pop(name, None) is not None
            return NO_ROUTE
        if n == 3 and parts[2] == "exists" and method == "GET":
            with STORE.lock:
                return {"exists": name in STORE.collections}
        if parts[2] != "points":
            return NO_ROUTE
        rest = parts[3:]
        if rest == [] and method == "PUT":
            wait = (params.get("wait") or ["false"])[-1].lower() == "true"
            return upsert(name, self.json_body(raw), wait)
        if method != "POST":
            return NO_ROUTE
        if rest == ["search"]:
            return search(name, self.json_body(raw))
        if rest == ["search", "batch"]:
            return batch(self.json_body(raw), "searches", lambda r: search(name, r))
        if rest == ["query"]:
            return {"points": query(name, self.json_body(raw))}
        if rest == ["query", "batch"]:
            return batch(self.json_body(raw), "searches",
                         lambda r: {"points": query(name, r)})
        if rest == ["count"]:
            return count(name, self.json_body(raw) if raw.strip() else {})
        return NO_ROUTE

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = handle_any


NO_ROUTE = object()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description="A FAKE Qdrant REST server for tests.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, default=0.0,
                    help="fixed service time added to every request except health probes")
    args = ap.parse_args()
    Handler.delay = max(args.delay_ms, 0.0) / 1000.0
    server = Server((args.host, args.port), Handler)

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
