"""Printed forms as PDF bytes (reportlab): pure functions, no Qt, no database.

One module per form, each a frozen dataclass and ``build_…_pdf(data) -> bytes``:

* ``receipt``      01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả (2 copies, A4/A5)
* ``supplement``   02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
* ``refusal``      03 Phiếu từ chối tiếp nhận giải quyết hồ sơ
* ``apology``      04 Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết
* ``stop_notice``  05 Thông báo dừng giải quyết hồ sơ
* ``control_slip`` 06 Phiếu kiểm soát quá trình giải quyết hồ sơ
* ``logbook``      07 Sổ theo dõi hồ sơ (A4 landscape)
* ``stats_report`` Biểu II.06a/VPCP/KSTT (A4 landscape)

Shared pieces: ``common`` (header, dates, tables, signatures, document builder), ``barcodes``
(vector Code128 and QR), ``fonts`` (bundled Liberation Serif; ``font_paths()`` for Qt too).
"""

from reportlab import rl_config as _rl_config

# Streams are written compressed and binary, not also ASCII85-encoded: a quarter smaller, and the
# encoding (pure Python without reportlab's optional accelerator) was a tenth of a receipt's time.
_rl_config.useA85 = 0
