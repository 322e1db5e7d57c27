"""Writing a file the clerk chose: every failure becomes a sentence that says what to do."""

from __future__ import annotations

import errno

import pytest

from ui.files import write_bytes, write_error_text


@pytest.mark.parametrize(("code", "expected"), [
    (errno.ENOSPC, "ổ đĩa đã đầy"),
    (errno.EACCES, "không có quyền ghi vào thư mục /srv/so"),
    (errno.EROFS, "không có quyền ghi vào thư mục /srv/so"),
    (errno.ENOENT, "Hãy chọn thư mục khác"),
])
def test_each_write_failure_says_what_to_do(code, expected):
    text = write_error_text(OSError(code, "x"), "/srv/so/so-theo-doi.xlsx")
    assert text.startswith("Không ghi được tệp /srv/so/so-theo-doi.xlsx") and expected in text


def test_write_bytes_writes_or_raises_the_sentence(tmp_path):
    assert write_bytes(tmp_path / "a.csv", b"x") == str(tmp_path / "a.csv")
    with pytest.raises(OSError) as info:
        write_bytes(tmp_path / "missing" / "a.csv", b"x")
    assert str(info.value).startswith(f"Không ghi được tệp {tmp_path / 'missing' / 'a.csv'}")
    assert info.value.__cause__.errno == errno.ENOENT
