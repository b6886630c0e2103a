"""A stand-in for the ngrok agent, for the tunnel script's tests (real ngrok needs an account and the net).

The tests copy it into a temporary folder as an executable named ``ngrok``. It accepts
``ngrok http PORT [...]``, logs like ``ngrok --log stdout`` and serves the agent API's
``/api/tunnels`` on 127.0.0.1 until terminated. Like the real agent, it moves its API to the next
port when the first is taken. Environment:

- FAKE_NGROK_API_PORT: the API port (required; real ngrok uses 4040).
- FAKE_NGROK_PIDFILE: a file to which each start appends its pid.
- FAKE_NGROK_MODE: ``ok`` (default); ``no-authtoken`` exits at once like ngrok without an
  authtoken; ``no-tunnel`` serves the API but never opens a tunnel.
"""

import json
import os
import secrets
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NO_AUTHTOKEN = """\
ERROR:  authentication failed: Usage of ngrok requires a verified account and authtoken.
ERROR:
ERROR:  Sign up for an account: https://dashboard.ngrok.com/signup
ERROR:  Install your authtoken: https://dashboard.ngrok.com/get-started/your-authtoken
ERROR:
ERROR:  ERR_NGROK_4018
ERROR:  https://ngrok.com/docs/errors/err_ngrok_4018
"""


def log(message):
    print(f"t=2024-01-01T00:00:00+0000 lvl=info {message}", flush=True)


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "http":
        print("usage: ngrok http PORT [flags]", file=sys.stderr)
        return 2
    if pidfile := os.environ.get("FAKE_NGROK_PIDFILE"):
        with open(pidfile, "a") as file:
            file.write(f"{os.getpid()}\n")
    mode = os.environ.get("FAKE_NGROK_MODE", "ok")
    if mode == "no-authtoken":
        sys.stderr.write(NO_AUTHTOKEN)
        return 1

    target = args[1]
    addr = f"http://localhost:{target}" if target.isdigit() else target
    url = f"https://{secrets.token_hex(6)}.ngrok-free.app"
    tunnels = []
    if mode != "no-tunnel":
        tunnels.append(
            {
                "name": "command_line",
                "public_url": url,
                "proto": "https",
                "config": {"addr": addr, "inspect": True},
            }
        )

    class Api(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.rstrip("/") != "/api/tunnels":
                self.send_error(404)
                return
            body = json.dumps({"tunnels": tunnels, "uri": "/api/tunnels"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    first_port = int(os.environ["FAKE_NGROK_API_PORT"])
    for port in range(first_port, first_port + 10):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Api)
            break
        except OSError:
            continue
    else:
        print(f"no free API port from {first_port}", file=sys.stderr)
        return 1

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log(f'msg="starting web service" obj=web addr=127.0.0.1:{port}')
    if tunnels:
        log(f'msg="started tunnel" obj=tunnels name=command_line addr={addr} url={url}')
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
