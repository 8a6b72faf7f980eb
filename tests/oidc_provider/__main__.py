"""Run the test provider: python -m tests.oidc_provider --port N
(the control token comes from OIDC_PROVIDER_CONTROL_TOKEN)."""

import argparse
import os

from werkzeug.serving import make_server

# The provider serves plain http on 127.0.0.1; Authlib insists on https
# unless told this is a test.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

from .app import create_provider  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
arguments = parser.parse_args()
issuer = f"http://127.0.0.1:{arguments.port}"
app = create_provider(issuer, os.environ["OIDC_PROVIDER_CONTROL_TOKEN"])
make_server("127.0.0.1", arguments.port, app, threaded=True).serve_forever()
