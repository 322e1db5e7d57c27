"""The command line's parser in Vietnamese: argparse's own words ("usage:", "options:", its error messages)
translated, no abbreviated options, and the shared options (`--db` with MOTCUA_DB) said the same way in
every command."""

from __future__ import annotations

import argparse
import re

# argparse's strings (Python 3.11–3.13) and ours; a string not listed stays as argparse wrote it
_VI = {
    "usage: ": "cách dùng: ",
    "options": "tùy chọn",
    "optional arguments": "tùy chọn",
    "positional arguments": "tham số",
    "subcommands": "lệnh con",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "show program's version number and exit": "in số phiên bản rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n(xem thêm: %(prog)s --help)\n",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có lựa chọn %(value)r (chọn một trong %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ (cần %(type)s)",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "not allowed with argument %s": "không dùng cùng với %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ignored explicit argument %r": "không nhận giá trị %r",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s không rõ: có thể là %(matches)s",
    "unexpected option string: %s": "tùy chọn không đúng chỗ: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "không có lệnh %(parser_name)r (các lệnh: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
}
_TYPE_WORDS = {"int": "một số nguyên", "float": "một số"}


def _vi(message: str) -> str:
    return _VI.get(message, message)


def _vi_plural(singular: str, plural: str, n: int) -> str:
    return _vi(singular if n == 1 else plural)


def install() -> None:
    """Make argparse speak Vietnamese (it looks its strings up through these two module-level names)."""
    argparse._ = _vi  # type: ignore[attr-defined]
    argparse.ngettext = _vi_plural  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """Vietnamese throughout; no abbreviated options (`--password X` must never be taken for
    `--password-file X`); the type names in errors in words."""

    def __init__(self, *args, **kwargs):
        install()
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        for name, words in _TYPE_WORDS.items():
            message = message.replace(f"(cần {name})", f"(cần {words})")
        super().error(message)


class Formatter(argparse.HelpFormatter):
    """Wider help columns, so that formats and defaults fit beside each option."""

    def __init__(self, prog: str, **kwargs):
        kwargs.setdefault("max_help_position", 34)
        kwargs.setdefault("width", 110)
        super().__init__(prog, **kwargs)


def db_help(what: str = "tệp dữ liệu SQLite của máy") -> str:
    from app.services.paths import default_db_path

    return f"{what} (mặc định: biến MOTCUA_DB, không có thì {default_db_path_text(default_db_path)})"


def default_db_path_text(default_db_path) -> str:
    import os

    saved = os.environ.pop("MOTCUA_DB", None)
    try:
        return str(default_db_path())
    finally:
        if saved is not None:
            os.environ["MOTCUA_DB"] = saved


def add_db(x: argparse.ArgumentParser, what: str = "tệp dữ liệu SQLite của máy") -> None:
    """`--db TỆP`, optional everywhere: MOTCUA_DB, then the machine's data file."""
    x.add_argument("--db", metavar="TỆP", help=db_help(what))


ENGLISH = re.compile(r"\b(usage|options|positional arguments|show this help|required|invalid|error)\b")
