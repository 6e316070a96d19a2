"""One run of a Python job flow (DWLOGIC defining execute_job), supervised by a dwprc worker.

The worker (pythonChild.ts) speaks to this process in JSON lines: it writes on stdin, this
process answers on file descriptor 3, so that whatever the flow prints on stdout and stderr
stays the flow's own output. Credentials arrive on stdin only, never in argv or the environment.

  worker -> {"connect": {"metadata": conn, "source": conn|null, "target": conn|null, "path": [...]}}
  child  -> {"ready": {"sessionId": n}}           metadata connection open; nothing written yet
  worker -> {"run": {"prcid", "mapref", "params", "requestParams", "tag", "code", "truncate"}}
  child  -> {"result": {...}}                     then exits 0

Any failure before "ready" is {"refused": {"message"}}: no run row exists, the request fails.
A parent that goes away (stdin closes) takes this whole process group with it.
"""

import inspect
import json
import os
import signal
import sys
import textwrap
import threading
import traceback

PROTOCOL = os.fdopen(3, "w", buffering=1, encoding="utf-8")

DRIVERS = {
    "psycopg2": "install it: apt-get install python3-psycopg2, or pip install psycopg2-binary",
    "oracledb": "install it: pip install oracledb",
}


def send(kind, body):
    PROTOCOL.write(json.dumps({kind: body}) + "\n")
    PROTOCOL.flush()


class Refusal(Exception):
    """Not the flow's fault and not worth a run row: one line for the request's result."""


def die_with_parent():
    """The worker may be SIGKILLed: then only the parent-death signal (Linux) and stdin closing
    tell this process. Either way, and on the worker's own TERM, the whole process group goes,
    the flow's own children included (a plain SIGKILL of this process would leave them)."""

    def end_group(*_):
        os.killpg(os.getpgrp(), signal.SIGKILL)

    signal.signal(signal.SIGTERM, end_group)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def watch_parent():
    """Once the run message is read, nothing more comes on stdin but its end."""

    def watch():
        # os.read, not sys.stdin: a daemon thread inside the buffered reader would hold its lock
        # and stall the interpreter's shutdown by a second.
        while os.read(0, 65536):
            pass
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="dwprc-parent-watch", daemon=True).start()


def driver(name, role):
    if name not in DRIVERS:
        raise Refusal(f"the {role} connection is of a database type dwprc cannot open from Python ({name}): PostgreSQL and Oracle are supported")
    try:
        return __import__(name)
    except ImportError:
        raise Refusal(f"the Python interpreter {sys.executable} (DWPRC_PYTHON) has no module {name} for the {role} connection: {DRIVERS[name]}")


def open_connection(spec, role):
    module = driver(spec["driver"], role)
    try:
        if spec["driver"] == "psycopg2":
            options = {"options": f"-c search_path={spec['schema']},public"} if spec.get("schema") else {}
            conn = module.connect(spec["dsn"], **options)
        else:
            # A connection string may carry the credentials itself (user/password@host:port/service).
            credentials = {key: spec[key] for key in ("user", "password") if spec.get(key)}
            conn = module.connect(dsn=spec["dsn"], **credentials)
            if spec.get("schema"):
                with conn.cursor() as cur:
                    cur.execute(f"ALTER SESSION SET CURRENT_SCHEMA = {spec['schema']}")
    except Exception as error:
        raise Refusal(f"the {role} connection could not be opened: {first_line(error)}")
    return conn


def session_id(conn, spec):
    cur = conn.cursor()
    if spec["driver"] == "psycopg2":
        cur.execute("select pg_backend_pid()")
    else:
        cur.execute("select to_number(sys_context('USERENV', 'SESSIONID')) from dual")
    value = int(cur.fetchone()[0])
    cur.close()
    conn.commit()
    return value


def tag(conn, spec, run_tag):
    """What a DBA, and the reaper's fencing, see on the metadata session while the run is open."""
    if spec["driver"] == "psycopg2":
        cur = conn.cursor()
        cur.execute("select set_config('application_name', %s, false)", (run_tag["applicationName"],))
        cur.close()
        conn.commit()
    else:
        conn.module = run_tag["module"]
        conn.action = run_tag["action"]
        conn.client_identifier = run_tag["clientIdentifier"]
        conn.ping()


def first_line(error):
    text = str(error).strip()
    line = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {line}" if line else type(error).__name__


def truncate(conn, spec, target):
    if spec["driver"] == "psycopg2":
        quote = lambda name: '"' + name.lower() + '"'
    else:
        quote = lambda name: '"' + name.upper() + '"'
    name = quote(target["table"]) if not target.get("schema") else quote(target["schema"]) + "." + quote(target["table"])
    cur = conn.cursor()
    cur.execute(f"TRUNCATE TABLE {name}")
    cur.close()
    conn.commit()
    return name


def arguments(execute_job, metadata, source, target, session_params):
    """The tool's three signatures, by their number of parameters."""
    try:
        count = len(inspect.signature(execute_job).parameters)
    except (TypeError, ValueError):
        count = -1
    if count == 4:
        return (metadata, source, target, session_params)
    if count == 3:
        return (metadata, target, session_params)
    if count == 2:
        return (target, session_params)
    raise Refusal(
        f"execute_job takes {count} parameters; dwprc calls execute_job(metadata_connection, source_connection, "
        "target_connection, session_params), or the legacy (metadata, target, session_params) or (connection, session_params)"
    )


def outcome(returned):
    """The returned dict as the worker records it."""
    if returned is None:
        returned = {}
    if not isinstance(returned, dict):
        return {"status": "FL", "message": f"execute_job returned {type(returned).__name__}, not a dict"}
    counts = {}
    for key in ("source_rows", "target_rows", "error_rows"):
        value = returned.get(key)
        if value is not None:
            try:
                counts[key] = int(value)
            except (TypeError, ValueError):
                return {"status": "FL", "message": f"execute_job returned {key}={value!r}: not a whole number"}
    status = str(returned.get("status") or "SUCCESS").upper()
    message = returned.get("error_message") or returned.get("message")
    message = None if message is None else str(message)
    if status == "SUCCESS":
        return {"status": "PC", "message": None, "counts": counts}
    if status == "ERROR":
        return {"status": "FL", "message": message or "execute_job returned status ERROR", "counts": counts}
    if status == "STOPPED":
        return {"status": "ST", "message": message, "counts": counts}
    return {"status": "FL", "message": f"execute_job returned status {status!r}: expected SUCCESS, ERROR or STOPPED", "counts": counts}


def run(message, metadata, meta_spec, source, target, target_spec):
    tag(metadata, meta_spec, message["tag"])
    code = textwrap.dedent(message["code"]).strip("\n") + "\n"
    try:
        compiled = compile(code, f"<DWLOGIC {message['mapref']}>", "exec")
    except SyntaxError as error:
        return {"status": "FL", "message": f"DWLOGIC of {message['mapref']} is not valid Python: {error.msg} (line {error.lineno})", "detail": traceback.format_exc()}
    namespace = {"__name__": "dwprc_flow"}
    exec(compiled, namespace)
    execute_job = namespace.get("execute_job")
    if not callable(execute_job):
        return {"status": "FL", "message": f"DWLOGIC of {message['mapref']} defines no function execute_job"}
    args = arguments(execute_job, metadata, source, target, {**message["params"], "request_params": message["requestParams"]})
    if message.get("truncate"):
        name = truncate(target, target_spec, message["truncate"])
        print(f"dwprc: target {name} truncated before the load", flush=True)
    return outcome(execute_job(*args))


def finish(connections, result):
    unique = list({id(c): c for c in connections if c is not None}.values())
    try:
        for conn in unique:
            if result["status"] == "PC":
                conn.commit()
            else:
                conn.rollback()
    except Exception as error:
        return {"status": "FL", "message": f"committing the flow's work failed: {first_line(error)}", "detail": traceback.format_exc()}
    return result


def main():
    sys.path.pop(0)  # this script's folder: nothing of the flow's
    die_with_parent()
    hello = json.loads(sys.stdin.readline())["connect"]
    sys.path[0:0] = hello["path"]
    try:
        meta_spec = hello["metadata"]
        metadata = open_connection(meta_spec, "metadata")
        source = open_connection(hello["source"], "source") if hello.get("source") else metadata
        target_spec = hello.get("target") or meta_spec
        target = open_connection(hello["target"], "target") if hello.get("target") else metadata
        send("ready", {"sessionId": session_id(metadata, meta_spec)})
    except Refusal as refusal:
        send("refused", {"message": str(refusal)})
        return
    line = sys.stdin.readline()
    if not line:
        return
    message = json.loads(line)["run"]
    watch_parent()
    try:
        result = run(message, metadata, meta_spec, source, target, target_spec)
    except Refusal as refusal:
        result = {"status": "FL", "message": str(refusal)}
    except BaseException as error:  # the flow's exception, SystemExit included
        result = {"status": "FL", "message": first_line(error), "detail": traceback.format_exc()}
    sys.stdout.flush()
    sys.stderr.flush()
    send("result", finish([source, target, metadata], result))


if __name__ == "__main__":
    main()
