"""Test fixture: an S3-compatible server that checks AWS Signature V4.

The server is moto (https://pypi.org/project/moto/, tested with moto[server]
5.2.6), served in this process on host:port. It has one IAM user whose access
key id and secret key are the fixed values given on the command line; that user
has an inline policy allowing "s3:*" on "*". Request authentication is on from
the very first request, so every S3 request must carry a valid SigV4
signature made with that key pair:

  * right key pair         -> normal S3 answers;
  * wrong secret           -> 403 SignatureDoesNotMatch;
  * unknown access key id  -> 403 InvalidAccessKeyId.

It stands in for MinIO, which cannot be installed on the CI machine.

Usage (with the python of the venv where moto[server] is installed):

    python s3_server.py --port PORT --access-key AK --secret-key SK [--host 127.0.0.1]

It serves in the foreground until SIGTERM or SIGINT, then exits 0. It prints
one line "s3_server: listening on http://HOST:PORT" to stdout once the socket
is bound. Requests are not logged unless --log-requests is given.

Caveats:
  * Path-style addressing (http://HOST:PORT/bucket/key), region us-east-1.
  * A request without an Authorization header (unsigned, or presigned with
    query-string auth) gets 403 AccessDenied from this wrapper; moto itself
    would fail on it with a 500. That includes moto's /moto-api/ endpoints, so
    nothing can reset the state or turn authentication off over HTTP. Probe
    readiness with a plain TCP connect.
  * moto uses the x-amz-content-sha256 header value as given when it
    recomputes the signature; it does not hash the body to compare it.
"""

import argparse
import json
import os
import signal
import sys

# moto.settings reads this when it is first imported: 0 means "check the
# signature and the IAM permissions of every request, starting with the first".
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"

USER_NAME = "factorybench"
POLICY_NAME = "factorybench-s3-all"
POLICY_DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="TCP port to bind")
    parser.add_argument("--access-key", required=True, help="access key id of the one user")
    parser.add_argument("--secret-key", required=True, help="secret access key of the one user")
    parser.add_argument("--log-requests", action="store_true", help="log each request to stderr")
    return parser.parse_args(argv)


def create_user(access_key_id, secret_access_key):
    """Create, in moto's in-process IAM backend, the user, its key pair and its
    policy. Done directly on the backend, so it is not an HTTP action."""
    from moto import settings
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # in case moto was imported earlier

    # moto picks the request's account from MOTO_ACCOUNT_ID if it is set, else
    # from the access key, else the default account (123456789012).
    account_id = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    backend = iam_backends[account_id]["aws"]  # partition of us-east-1

    backend.create_user(region_name="us-east-1", user_name=USER_NAME)
    key = backend.create_access_key(user_name=USER_NAME)
    # The backend made a random key pair; replace it with the given one. The
    # backend indexes keys by id, so move the index entry too.
    backend.access_keys.pop(key.access_key_id, None)
    key.access_key_id = access_key_id
    key.secret_access_key = secret_access_key
    backend.access_keys[key.access_key_id] = key
    backend.put_user_policy(USER_NAME, POLICY_NAME, POLICY_DOCUMENT)

    # Check it the way moto's request authentication looks keys up.
    found = [
        k
        for u in backend.list_users("/", None, None)
        for k in u.access_keys
        if k.access_key_id == access_key_id
    ]
    assert len(found) == 1 and found[0].secret_access_key == secret_access_key
    assert POLICY_NAME in backend.list_user_policies(USER_NAME)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    from werkzeug.serving import make_server

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    create_user(args.access_key, args.secret_key)

    class RequestHandler(MotoRequestHandler):
        def log_request(self, *a, **kw):
            if args.log_requests:
                super().log_request(*a, **kw)

    os.environ.setdefault("MOTO_PORT", str(args.port))
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ, start_response):
        if "HTTP_AUTHORIZATION" not in environ:
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                b"<Message>Anonymous access is not allowed: sign the request with AWS "
                b"Signature V4 (Authorization header).</Message></Error>"
            )
            start_response(
                "403 Forbidden",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return moto_app(environ, start_response)

    # Same process, same module-level backends: the server sees the user above.
    server = make_server(args.host, args.port, app, threaded=True, request_handler=RequestHandler)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    print(f"s3_server: listening on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
