"""No token, code, state or secret (nor a signed-in user's name or email) ever reaches a log line, even at
DEBUG."""

import logging
import threading
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text

from {{ cookiecutter.package_name }}.log_redaction import QueryStringFilter

from tests.support.app_settings import CLIENT_SECRET, OPENID_SCOPES, TOKEN_KEY
from tests.support.stack import running_stack


def test_the_whole_flow_at_debug_logs_no_secret(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with running_stack(tmp_path, scopes=OPENID_SCOPES) as stack:
        browser = stack.browser()
        callback = stack.callback_url_from_pim(browser)
        query = parse_qs(urlsplit(callback).query)
        assert browser.get(callback).status_code == 200
        browser.get(f"{stack.app_url}/")
        stack.control("disconnect")
        browser.get(f"{stack.app_url}/")
        cli = threading.Thread(target=stack.command, args=("products",), name="app-cli")
        cli.start()
        cli.join()
        connection = stack.store.get(stack.pim_url)
        settings = stack.services.settings

    secrets = {
        "access token": connection.access_token,
        "code": query["code"][0],
        "state": query["state"][0],
        "client secret": CLIENT_SECRET,
        "session secret key": settings.secret_key,
        "token encryption key": TOKEN_KEY,
        "user's email": "julia@example.com",
        "user's last name": "Stark",
    }
    # The test's own browser runs in the main thread and logs its URLs; the App logs from its threads.
    lines = [record.getMessage() for record in caplog.records if record.threadName != "MainThread"]
    assert any("/callback" in line for line in lines), "the App's access log was not captured"
    assert any("Connected to" in line for line in lines)
    assert any("Signed in user" in line for line in lines)
    for name, value in secrets.items():
        leaking = [line for line in lines if value in line]
        assert not leaking, f"the {name} appears in the log: {leaking[0]}"


def test_a_servers_error_line_loses_the_query_string_of_the_uri():
    # gunicorn logs "Error handling request <uri>" when a request fails inside it; the URI holds the code.
    record = logging.LogRecord(
        "gunicorn.error",
        logging.ERROR,
        __file__,
        1,
        "Error handling request %s",
        ("/callback?code=c&state=s",),
        None,
    )
    QueryStringFilter().filter(record)
    assert record.getMessage() == "Error handling request /callback?…"


def test_a_database_error_while_saving_a_user_logs_neither_name_nor_email(tmp_path, caplog):
    # SQLAlchemy writes a failed statement's values into its error, which the server logs with the traceback.
    caplog.set_level(logging.INFO)
    with running_stack(tmp_path, scopes=OPENID_SCOPES, product_count=5) as stack:
        with stack.services.engine.begin() as db:
            db.execute(
                text(
                    "CREATE TRIGGER refuse_users BEFORE INSERT ON pim_users "
                    "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
                )
            )
        assert stack.connect(stack.browser()).status_code == 500
    formatter = logging.Formatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "the disk is full" in logged, "the error was not logged"
    assert "julia@example.com" not in logged
    assert "Stark" not in logged
