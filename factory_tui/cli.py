"""The command line: `factory-tui [OPTIONS]`, `run`, `replay`, `serve`.

The headless path (`run`) imports no Textual, so it starts fast. Every bad
input ends with one line on stderr naming the flag, the value and what is
allowed, and exit code 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any, Sequence

from .engine.config import SETTINGS, UI_DEFAULTS, Config, validate, warnings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "factory-tui"


class UsageError(Exception):
    """Bad usage: one line for stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage block
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _add_settings(parser: argparse.ArgumentParser) -> None:
    for setting in SETTINGS:
        flags = [setting.flag]
        if setting.name == "buffer":
            flags = ["-b", "--buffer"]
        parser.add_argument(
            *flags, dest=setting.name, default=None, metavar=setting.name.upper().replace("_", "-"),
            help=f"{setting.label}: {setting.allowed()}",
        )
    parser.add_argument("--record", metavar="FILE.jsonl", default=None, help="write the event stream to a file")
    parser.add_argument("--chrome-trace", metavar="FILE.json", default=None,
                        help="write the run as a Chrome trace (open it in Perfetto or chrome://tracing)")


def _settings_from(args: argparse.Namespace, base: Config) -> Config:
    raw = {s.name: getattr(args, s.name) for s in SETTINGS if getattr(args, s.name) is not None}
    spelling = {s.name: ("-b/--buffer" if s.name == "buffer" else s.flag) for s in SETTINGS}
    merged = {**{s.name: getattr(base, s.name) for s in SETTINGS}, **raw}
    config, errors = validate(merged, spelling)
    if errors:
        raise UsageError(f"{PROG}: {errors[0].message}")
    return config


def build_parser(command: str | None) -> argparse.ArgumentParser:
    if command == "run":
        parser = _Parser(prog=f"{PROG} run", description="Run the factory headless; the log goes to stdout.")
        _add_settings(parser)
        parser.add_argument("--format", choices=("text", "jsonl", "none"), default="text",
                            help="text: one line per consumed widget; jsonl: every event; none: only the summary")
        parser.add_argument("--compare", action="store_true",
                            help="run drain, strict and abort with the same settings and seed; print a table")
    elif command == "replay":
        parser = _Parser(prog=f"{PROG} replay", description="Replay a recorded run in the terminal UI.")
        parser.add_argument("trace", metavar="TRACE.jsonl")
        parser.add_argument("--chrome-trace", metavar="FILE.json", default=None,
                            help="also write the trace as a Chrome trace (Perfetto, chrome://tracing)")
    elif command == "serve":
        parser = _Parser(prog=f"{PROG} serve", description="The terminal UI in a browser, via textual-serve. "
                         "Settings flags preset each session's form.")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
        parser.add_argument("--port", default="8000", help="port (default 8000)")
        _add_settings(parser)
    else:
        parser = _Parser(
            prog=PROG,
            description="Watch a threaded producer/consumer widget factory run, live. "
            "Subcommands: run (headless), replay TRACE.jsonl.",
        )
        _add_settings(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in ("run", "replay", "serve") else None
    try:
        args = build_parser(command).parse_args(argv[1:] if command else argv)
        if command == "run":
            config = _settings_from(args, Config())
            if args.compare:
                return run_compare(config)
            return run_headless(config, args.format, args.record, args.chrome_trace)
        if command == "replay":
            return replay_ui(args.trace, args.chrome_trace)
        if command == "serve":
            return serve_ui(args)
        config = _settings_from(args, UI_DEFAULTS)
        return run_ui(config, args.record, chrome_trace=args.chrome_trace)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE


def _warn(config: Config) -> None:
    for line in warnings(config):
        print(f"{PROG}: {line}", file=sys.stderr)


def _check_output_path(flag: str, path: str | None) -> None:
    """A file we will write at the end must be writable now: fail before the run, not after it."""
    if path is None:
        return
    if not path.strip():
        raise UsageError(f"{PROG}: {flag}: '' is not a file name; allowed: a path to write")
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"{PROG}: {flag}: cannot write {path!r}: {exc.strerror or exc}") from None


def run_headless(config: Config, fmt: str, record: str | None, chrome_trace: str | None = None) -> int:
    from .engine.factory import Factory
    from .formats import fan_out, jsonl_writer, summary_line, text_writer
    from .trace import TraceWriter

    _warn(config)
    _install_sigpipe_default()
    out = sys.stdout
    writer = {"text": text_writer, "jsonl": jsonl_writer}.get(fmt)
    if record is not None and not record.strip():
        raise UsageError(f"{PROG}: --record: '' is not a file name; allowed: a path to write, e.g. run.jsonl")
    try:
        recorder = TraceWriter(record) if record else None
    except OSError as exc:
        raise UsageError(f"{PROG}: --record: cannot write {record!r}: {exc.strerror or exc}") from None
    _check_output_path("--chrome-trace", chrome_trace)
    collected: list[dict[str, Any]] | None = [] if chrome_trace else None  # memory grows with the run
    output = writer(out) if writer else None
    factory = Factory(config, fan_out(output, recorder, collected.append if collected is not None else None))
    interrupts = 0
    factory.start()
    try:
        while not factory.done.is_set():
            try:
                factory.done.wait(0.1)
            except KeyboardInterrupt:
                interrupts += 1
                if interrupts == 1:
                    print(f"{PROG}: interrupted: stopping production and draining "
                          "(Ctrl-C again to quit at once)", file=sys.stderr)
                    factory.interrupt()
                else:
                    factory.cancel()
                    factory.join(2.0)
                    break
    finally:
        if output is not None:
            output.close()
        if recorder:
            recorder.close()
    try:
        out.flush()
    except BrokenPipeError:
        pass
    summary = factory.summary
    if summary is None:  # the second Ctrl-C: quit at once
        return EXIT_INTERRUPTED
    if chrome_trace and collected:
        from .chrome_trace import write_chrome_trace

        write_chrome_trace(collected, chrome_trace)
    print(summary_line(summary, config.stop, factory.seed), file=sys.stderr)
    if summary["outcome"] == "failed":
        print(f"{PROG}: the run failed: {summary.get('error')}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_INTERRUPTED if interrupts else EXIT_OK


def run_compare(config: Config) -> int:
    from .compare import compare, table

    _warn(config)
    try:
        results = compare(config)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    print(f"compare: n={config.n} p={config.p} c={config.c} k={config.k} buffer={config.buffer} "
          f"id-buffer={config.id_buffer} seed={results[0]['seed'] if results else config.seed}")
    print(table(results))
    return EXIT_OK


def run_ui(config: Config, record: str | None = None, trace: list[dict[str, Any]] | None = None,
           chrome_trace: str | None = None) -> int:
    if record is not None and not record.strip():
        raise UsageError(f"{PROG}: --record: '' is not a file name; allowed: a path to write, e.g. run.jsonl")
    _check_output_path("--chrome-trace", chrome_trace)
    _warn(config)
    from .ui.app import FactoryApp

    app = FactoryApp(config, record=record, trace=trace, chrome_trace=chrome_trace)
    app.run()
    return app.return_code or 0


def replay_ui(path: str, chrome_trace: str | None = None) -> int:
    from .trace import TraceError, load_trace

    try:
        events = load_trace(path)
    except TraceError as exc:
        raise UsageError(f"{PROG} replay: {exc}") from None
    if chrome_trace:
        from .chrome_trace import write_chrome_trace

        _check_output_path("--chrome-trace", chrome_trace)
        write_chrome_trace(events, chrome_trace)
    return run_ui(Config.from_dict(events[0]["config"]), trace=events)


def serve_ui(args: argparse.Namespace) -> int:
    from .serve import serve

    port = args.port
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise UsageError(f"{PROG} serve: --port: {port!r} is not a port; allowed: a whole number from 1 to 65535")
    _settings_from(args, UI_DEFAULTS)  # bad settings are refused here, not in every browser tab
    # Each browser session's process gets the settings flags that were given.
    session_flags = [word for s in SETTINGS if getattr(args, s.name) is not None
                     for word in (s.flag, str(getattr(args, s.name)))]
    return serve(host=args.host, port=int(port), argv=session_flags)


def _install_sigpipe_default() -> None:
    # `factory-tui run | head` should end quietly, as other command-line tools do.
    if hasattr(signal, "SIGPIPE") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
