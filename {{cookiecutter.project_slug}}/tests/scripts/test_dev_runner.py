"""scripts/dev.py, run as `make dev` runs it, on small Procfiles of dev_child.py processes."""

import re
import shlex
import shutil
import signal
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DEV = HERE.parents[1] / "scripts" / "dev.py"


@pytest.fixture
def project(tmp_path, reaper):
    """The folder the runner runs in, as the project root, with the test process dev_child.py."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(HERE / "dev_child.py", folder / "child.py")
    yield folder
    reaper.extend(folder.glob("*.pid"))


@pytest.fixture
def dev_env(tmp_path, base_env):
    """The environment, with a `python` first on PATH that is not the one running the tests."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrong = bin_dir / "python"
    wrong.write_text("#!/bin/sh\necho 'the python found on PATH'\nexit 97\n")
    wrong.chmod(0o755)
    return {**base_env, "PATH": f"{bin_dir}:{base_env.get('PATH', '')}"}


@pytest.fixture
def run_dev(spawn, project, dev_env):
    def run(procfile, *args, env=None):
        (project / "Procfile.dev").write_text(procfile)
        return spawn([sys.executable, DEV, *args], project, {**dev_env, **(env or {})})

    return run


def started_pid(runner, name):
    return int(runner.wait_for(rf"\b{name} started pid=(\d+)")[1])


def test_prefixes_each_line_with_the_process_name(run_dev):
    runner = run_dev("a: python child.py serve a\nlongname: python child.py serve longname\n")
    started_pid(runner, "a")
    started_pid(runner, "longname")
    runner.interrupt()

    assert runner.wait() == 0
    assert "\na        | a started pid=" in runner.out
    assert "\nlongname | longname started pid=" in runner.out
    lines = runner.out.splitlines()
    assert all(re.match(r"(a {7}|longname|dev {5}) \| ", line) for line in lines), runner.out
    assert "\033[" not in runner.out, "no colour when stdout is not a terminal"


def test_prefixes_stderr_too(run_dev):
    runner = run_dev("a: python child.py exit a 0\n")

    assert runner.wait() == 0
    assert "a   | a says hello on stderr\n" in runner.out
    assert runner.err == ""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_every_process_and_exits_0(run_dev, project, pid_gone, signum):
    runner = run_dev("a: python child.py serve a\nb: python child.py spawn b\n")
    pids = [started_pid(runner, "a"), started_pid(runner, "b"), started_pid(runner, "b-child")]

    runner.proc.send_signal(signum)

    assert runner.wait() == 0, runner.output
    assert f"{signum.name}: stopping everything." in runner.out
    assert all(pid_gone(pid) for pid in pids), "a process outlived the runner"


def test_one_process_failing_stops_the_others(run_dev, pid_gone):
    runner = run_dev(
        "server: python child.py serve server\nfailing: python child.py exit-when failing server.pid 3\n"
    )
    server = started_pid(runner, "server")

    assert runner.wait() == 3
    assert "dev     | failing exited with code 3. Stopping the others." in runner.out
    assert pid_gone(server)


def test_runs_only_the_named_processes(run_dev, project):
    runner = run_dev(
        "a: python child.py serve a\nb: python child.py serve b\nc: python child.py serve c\n",
        "a",
        "c",
    )
    started_pid(runner, "a")
    started_pid(runner, "c")
    runner.interrupt()

    assert runner.wait() == 0
    assert "Running a, c from Procfile.dev" in runner.out
    assert not (project / "b.pid").exists()
    assert "b |" not in runner.out


def test_python_is_this_interpreter(run_dev):
    runner = run_dev("""a: python -c "import sys; print('using', sys.executable)"\n""")

    assert runner.wait() == 0, runner.output
    assert f"a   | using {sys.executable}\n" in runner.out
    assert "the python found on PATH" not in runner.out


def test_banner_shows_the_app_and_the_local_pim(run_dev, project):
    (project / ".env").write_text("APP_URL=http://localhost:8000\nPORT=8000\n")

    runner = run_dev("a: python child.py exit a 0\n", env={"PIM_EMULATOR_PORT": "9091"})

    assert runner.wait() == 0
    assert "The App:       http://localhost:8000/" in runner.out
    assert "Local PIM:     http://localhost:9091/connect/app-store" in runner.out
    assert "click Connect" in runner.out


@pytest.mark.parametrize(
    ("procfile", "args", "message"),
    [
        (None, ["-f", "missing.Procfile"], "cannot read missing.Procfile"),
        ("# nothing\n\n", [], "Procfile.dev has no 'name: command' entries"),
        ("a: python child.py serve a\nb python x\n", [], "Procfile.dev:2: expected 'name: command'"),
        ("a:\n", [], "Procfile.dev:1: expected 'name: command'"),
        ("a: x\na: y\n", [], "Procfile.dev:2: 'a' is defined twice"),
        ("a: x\n", ["b"], "no process named b in Procfile.dev (it has: a)"),
    ],
    ids=["missing", "empty", "no-colon", "no-command", "duplicate", "unknown-name"],
)
def test_a_bad_procfile_exits_2(run_dev, procfile, args, message):
    runner = run_dev(procfile or "", *args)

    assert runner.wait() == 2
    assert message in runner.err
    assert runner.out == ""


def test_colour_prefixes(dev_module):
    plain = dev_module.prefixes(["app", "pim", "dev"], color=False)
    coloured = dev_module.prefixes(["app", "pim", "dev"], color=True)

    assert plain == {"app": "app | ", "pim": "pim | ", "dev": "dev | "}
    assert coloured["app"] == "\033[36mapp | \033[0m"
    assert coloured["pim"] != coloured["app"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("python -m app", "{python} -m app"),
        ("python3 -m app", "{python} -m app"),
        ("python", "{python}"),
        ("pythonista run", "pythonista run"),
        ("flask --app python run", "flask --app python run"),
    ],
)
def test_shell_command_uses_this_python(dev_module, command, expected):
    python = shlex.quote(sys.executable)

    assert dev_module.shell_command(command) == expected.format(python=python)


@pytest.fixture
def module(project):
    """src/module.py in the project, the file the reload tests change."""
    (project / "src").mkdir()
    path = project / "src" / "module.py"
    path.write_text("VERSION = 1\n")
    return path


def test_reload_restarts_only_the_watched_process_when_a_file_changes(run_dev, module):
    runner = run_dev(
        "app: python child.py serve app\npim: python child.py serve pim\n", "--reload", "app=src"
    )
    first_app = started_pid(runner, "app")
    pim = started_pid(runner, "pim")

    module.write_text("VERSION = 2\n")
    runner.wait_for(r"src/module.py changed: restarting app")
    second_app = int(runner.wait_for(rf"app started pid=(?!{first_app}\b)(\d+)")[1])
    runner.interrupt()

    assert runner.wait() == 0
    assert second_app != first_app
    assert runner.out.count("pim started pid=") == 1
    assert f"pim started pid={pim}" in runner.out


def test_a_reload_folder_that_does_not_exist_exits_2(run_dev):
    runner = run_dev("app: python child.py serve app\n", "--reload", "app=nowhere")

    assert runner.wait() == 2
    assert "--reload app=nowhere: nowhere is not a folder" in runner.err


def test_a_public_app_url_without_a_running_tunnel_is_reported(run_dev, project):
    (project / ".env").write_text("APP_URL=https://old-tunnel.ngrok-free.app\n")

    # Nothing listens on port 9 (discard): no ngrok agent, so no tunnel serves that URL.
    runner = run_dev("a: python child.py exit a 0\n", env={"NGROK_API_URL": "http://127.0.0.1:9"})

    assert runner.wait() == 0
    assert (
        "WARNING: APP_URL is https://old-tunnel.ngrok-free.app, but no running tunnel serves it" in runner.out
    )


def test_a_local_app_url_needs_no_tunnel(run_dev, project):
    (project / ".env").write_text("PORT=8123\n")

    runner = run_dev("a: python child.py exit a 0\n", env={"NGROK_API_URL": "http://127.0.0.1:9"})

    assert runner.wait() == 0
    assert "The App:       http://localhost:8123/" in runner.out
    assert "WARNING" not in runner.out


def test_a_watched_process_that_fails_waits_for_the_next_change_while_the_others_run(run_dev, module):
    runner = run_dev(
        "app: python child.py exit app 1\npim: python child.py serve pim\n", "--reload", "app=src"
    )
    pim = started_pid(runner, "pim")
    runner.wait_for(r"app exited with code 1; it starts again when a file under src changes\.")

    module.write_text("VERSION = 2\n")
    runner.wait_for(r"src/module.py changed: restarting app")
    runner.wait_for(r"app started pid=\d+[\s\S]*app started pid=\d+")
    runner.interrupt()

    assert runner.wait() == 0
    assert runner.out.count("pim started pid=") == 1
    assert f"pim started pid={pim}" in runner.out
