#!/usr/bin/env python3
"""autoreload: `autoreload_test.py CHILD` copies the child program into a temporary directory,
starts it, and changes what it watches the ways builds do: its executable renamed into place,
deleted and written anew, a watched file written, the whole directory removed and made again.
Each change restarts the process with the same pid and arguments after its reload hook ran; an
executable that is not a program is logged while the old program goes on. `autoreload_test.py --demo SQUALL_DEMO`
runs a copy of squall-demo with --debug, replaces it, and checks that the restarted server (the
same pid) listens on the same port again and that the first one's temporary site is gone."""

import os
import select
import re
import shutil
import socket
import signal
import subprocess
import sys
import tempfile
import urllib.request

STEP_TIMEOUT = 15  # seconds for each line the child is expected to print


class Failure(Exception):
    pass


def read_line(proc, what, stream=None):
    stream = stream or proc.stdout
    ready, _, _ = select.select([stream], [], [], STEP_TIMEOUT)
    if not ready:
        raise Failure("no line within %d s: expected %s" % (STEP_TIMEOUT, what))
    line = stream.readline().decode(errors="replace")
    if not line:
        raise Failure("the child exited (status %s): expected %s" % (proc.wait(), what))
    return line.rstrip("\n")


def wait_logged(proc, text, what):
    """Reads the child's stderr until a line holds `text`; returns the lines read."""
    seen = []
    while True:
        seen.append(read_line(proc, what + " (%r in its log)" % text, proc.stderr))
        if text in seen[-1]:
            print("ok: %s" % what, flush=True)
            return seen


def expect(proc, line, what):
    got = read_line(proc, what)
    if got != line:
        raise Failure("%s: got %r, expected %r" % (what, got, line))
    print("ok: %s" % what, flush=True)


def replace_by_rename(program, source):
    shutil.copyfile(source, program + ".new")
    os.chmod(program + ".new", 0o755)
    os.rename(program + ".new", program)


def replace_by_rewrite(program, source):
    os.remove(program)  # a running executable cannot be opened for writing: linkers unlink it first
    # Executable from its creation, as a linker makes it: the restart may follow the close at once.
    fd = os.open(program, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as f:
        shutil.copyfileobj(f, out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_started(proc, port, what):
    line = read_line(proc, what)
    m = re.match(r"squall-demo listening on http://127\.0\.0\.1:%d/ \(site (.*)\)$" % port, line)
    if not m:
        raise Failure("%s: got %r" % (what, line))
    with urllib.request.urlopen("http://127.0.0.1:%d/hello" % port, timeout=STEP_TIMEOUT) as r:
        body = r.read()
    if body != b"Hello, world":
        raise Failure("%s: /hello answered %r" % (what, body))
    print("ok: %s" % what, flush=True)
    return m.group(1)


def demo_main(demo):
    folder = tempfile.mkdtemp(prefix="squall-autoreload-demo-")
    program = os.path.join(folder, "squall-demo")
    shutil.copyfile(demo, program)
    os.chmod(program, 0o755)
    port = free_port()
    proc = None
    try:
        proc = subprocess.Popen([program, "--port", str(port), "--debug"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, bufsize=0)
        first_site = demo_started(proc, port, "squall-demo --debug serves")
        replace_by_rename(program, demo)
        second_site = demo_started(proc, port, "restarted on the same port after its executable was replaced")
        if proc.poll() is not None:
            raise Failure("the demo exited (status %s) instead of restarting in place" % proc.returncode)
        if os.path.exists(first_site) or not os.path.isdir(second_site):
            raise Failure("the first temporary site %s is %s, the second %s is %s" % (
                first_site, "still there" if os.path.exists(first_site) else "gone",
                second_site, "there" if os.path.isdir(second_site) else "missing"))
        print("ok: the first run's temporary site was removed before the restart", flush=True)
        proc.send_signal(signal.SIGTERM)
        status = proc.wait(STEP_TIMEOUT)
        if status != 0 or os.path.exists(second_site):
            raise Failure("after SIGTERM: status %s, site %s" % (status, "left" if os.path.exists(second_site) else "removed"))
    except (Failure, OSError, subprocess.TimeoutExpired) as e:
        print("autoreload_test: FAIL: %s" % e, file=sys.stderr)
        return 1
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
    print("autoreload_test: passed")
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--demo":
        return demo_main(sys.argv[2])
    child = sys.argv[1]
    folder = tempfile.mkdtemp(prefix="squall-autoreload-")
    program = os.path.join(folder, "child")
    watched = os.path.join(folder, "settings.conf")
    shutil.copyfile(child, program)
    os.chmod(program, 0o755)
    with open(watched, "w") as f:
        f.write("a = 1\n")
    env = dict(os.environ)
    env.pop("SQUALL_AUTORELOAD_GENERATION", None)
    proc = None
    try:
        proc = subprocess.Popen([program, "--watch", watched, "two words"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, bufsize=0)  # unbuffered: select sees every line
        args = "args=[--watch][%s][two words]" % watched
        started = "started pid=%d generation=%%d %s" % (proc.pid, args)
        expect(proc, started % 1, "the first start")

        replace_by_rename(program, child)
        expect(proc, "reloading from generation 1", "the hook, after a rename into place")
        expect(proc, started % 2, "restarted with the same pid and arguments")

        replace_by_rewrite(program, child)
        expect(proc, "reloading from generation 2", "the hook, after the file was written anew")
        expect(proc, started % 3, "restarted again")

        with open(watched, "w") as f:
            f.write("a = 2\n")
        expect(proc, "reloading from generation 3", "the hook, after the watched file changed")
        expect(proc, started % 4, "restarted for the watched file")

        garbage = program + ".garbage"
        with open(garbage, "w") as f:
            f.write("this is not a program\n")
        os.chmod(garbage, 0o755)
        os.rename(garbage, program)
        expect(proc, "reloading from generation 4", "the hook, before a failed restart")
        wait_logged(proc, "cannot re-execute", "the failed restart logged")
        replace_by_rename(program, child)
        # The hook counted the failed attempt in this process's environment too.
        expect(proc, "reloading from generation 4", "the old program, still running, tries again")
        expect(proc, started % 5, "restarted once the executable is a program again")

        # The whole directory goes (rm -rf build) and comes back at once, files and all.
        staging = folder + ".staging"
        shutil.copytree(folder, staging)
        shutil.rmtree(folder)
        os.rename(staging, folder)
        expect(proc, "reloading from generation 5", "the hook, after the directory was removed and made again")
        expect(proc, started % 6, "restarted from the directory made again")
    except Failure as e:
        print("autoreload_test: FAIL: %s" % e, file=sys.stderr)
        return 1
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(folder + ".staging", ignore_errors=True)
    print("autoreload_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
