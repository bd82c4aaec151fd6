"""Strings of the Data page (imports, validation report, ledger), in Chinese and English.

Column headers of the tables this page shows use ``col.`` keys because ui/tables.py
looks headers up as ``col.<column>``; they carry a ``reject_`` / ``ledger_`` prefix so
they cannot clash with other areas' columns.
"""

from analytics import schema
from analytics.ingest.validate import REASON_CODES, WARNINGS

_REASONS = {
    "missing_column": ("缺少必填列", "required column missing"),
    "required_empty": ("必填值为空", "required value empty"),
    "not_allowed": ("不是允许的代码", "not an allowed code"),
    "not_a_number": ("不是数字", "not a number"),
    "not_an_integer": ("不是整数", "not a whole number"),
    "out_of_range": ("超出范围", "out of range"),
    "not_a_boolean": ("不是是/否", "not true/false"),
    "not_a_date": ("不是日期", "not a date"),
    "not_a_timestamp": ("不是日期时间", "not a date and time"),
    "no_time_zone": ("无法确定时区", "no time zone"),
    "dst_gap": ("夏令时跳过的时刻（不存在）", "time skipped by daylight saving"),
    "dst_fold": ("夏令时重复的时刻（有歧义）", "time repeated by daylight saving"),
    "in_future": ("时间在未来", "time in the future"),
    "queue_center_mismatch": ("队列与中心不符", "queue belongs to another center"),
    "no_center": ("无法确定中心", "no center"),
    "unknown_center": ("未知中心", "unknown center"),
    "order_answered_before_arrived": ("接通早于进线", "answered before arrived"),
    "order_ended_before_answered": ("挂机早于接通", "ended before answered"),
    "order_ended_before_arrived": ("挂机早于进线", "ended before arrived"),
    "order_exit_before_hire": ("离职早于入职", "exit before hire"),
    "order_before_received": ("处理时间早于受理", "handled before received"),
    "duration_exceeds_span": ("时长与起止时间不符", "duration longer than its times allow"),
    "talk_without_answer": ("未接通却有通话时长", "talk time on an unanswered call"),
    "interval_misaligned": ("时段不在 15 分钟整点", "interval not on a 15-minute boundary"),
    "month_not_first_day": ("月份不是当月 1 日", "month not on its first day"),
    "unknown_agent": ("座席不在员工表中", "agent not an employee"),
    "duplicate_in_file": ("文件内重复", "duplicate within the file"),
    "duplicate_in_lake": ("此前已导入", "imported before"),
    "column_count": ("列数不对", "wrong number of fields"),
    "queue_log_malformed": ("queue_log 行格式错误", "malformed queue_log line"),
    "queue_log_unended": ("通话没有结束事件", "call never ended"),
    "queue_log_orphan": ("结束事件没有对应的接通", "close without a connect"),
    "queue_log_incomplete": ("通话缺少时间", "call without usable times"),
    "control_character": ("含控制字符（如 NUL、单独的回车）", "control character (e.g. NUL, a bare CR)"),
    "too_long": ("文本过长", "text too long"),
    "out_of_window": ("日期或时间超出合理范围", "date or time outside the sane window"),
    "excel_formula_no_value": (
        "Excel 公式没有保存的值：请在 Excel 中打开并保存",
        "Excel formula with no saved value: open and save the file in Excel",
    ),
}
assert set(_REASONS) == set(REASON_CODES), sorted(set(_REASONS) ^ set(REASON_CODES))

_TABLES = {
    "calls": ("通话", "Calls"),
    "employees": ("员工（人力资源主数据）", "Employees (HR master)"),
    "role_events": ("岗位变动", "Role events"),
    "appraisals": ("月度考核", "Monthly appraisals"),
    "complaints": ("投诉", "Complaints"),
    "qa_evaluations": ("质检评分", "QA evaluations"),
    "agent_intervals": ("座席 15 分钟时段", "Agent 15-minute intervals"),
    "centers": ("中心", "Centers"),
    "queues": ("队列", "Queues"),
    "targets": ("目标", "Targets"),
}
assert set(_TABLES) == set(schema.TABLES)

_WARNINGS = {
    "ignored_columns": (
        "这些列未导入（映射中没有）：{columns}",
        "Columns not imported (not in the mapping): {columns}",
    ),
    "new_centers": ("已新建中心（时区 {zone}）：{centers}", "New centers created in zone {zone}: {centers}"),
    "new_queues": ("已新建队列：{queues}", "New queues created: {queues}"),
    "no_employees": (
        "数据集中还没有员工数据，座席工号未核对。",
        "No employees in the dataset yet: agent ids are not checked.",
    ),
    "unknown_agents": (
        "{n} 行的座席不在员工表中（最先出现在第 {lines} 行）",
        "{n} rows name agents missing from employees (first on lines {lines})",
    ),
    "queue_log_skipped": (
        "跳过 {n} 行不产生通话记录的 queue_log 事件（座席、暂停、振铃等）",
        "{n} queue_log lines without a call row (member, pause and ring events) skipped",
    ),
    "queue_log_join_failed": (
        "{n} 个来电未能进入队列（JOINEMPTY/JOINUNAVAIL），不计入进线",
        "{n} callers could not join a queue (JOINEMPTY/JOINUNAVAIL): not offered",
    ),
    "excel_sheets": (
        "已读取工作表 {sheet}；工作簿还有：{sheets}（可在映射文件的 source.sheet 中指定）",
        "Read sheet {sheet}; the workbook also has {sheets} (pick another with source.sheet in the mapping)",
    ),
    "durations_clamped": (
        "{n} 个已接通来电的通话+保持时长比接通→挂机多出 {tol} 秒以上（交换机计时与时间戳时钟不一致）："
        "来电保留，时长截到起止区间（最先出现在第 {lines} 行）",
        "{n} answered calls had talk + hold longer than answered→ended by more than {tol} s "
        "(the switch's timers and timestamps disagree): kept, durations cut to the span "
        "(first on lines {lines})",
    ),
}
assert set(_WARNINGS) == set(WARNINGS)

STRINGS = {
    "data.title": {"zh": "数据导入", "en": "Data"},
    "data.question": {
        "zh": "导入自己的通话、人力资源和投诉数据，逐行校验，不丢任何一行。",
        "en": "Bring your own calls, HR records and complaints: every row checked, none lost.",
    },
    "data.target": {"zh": "导入目标数据集：{path}", "en": "Imports write to the dataset {path}"},
    "data.target.demo": {
        "zh": "这是演示数据集（合成数据）。导入的数据会与演示数据混在一起；如需单独的数据集，请以 CALLCENTER_DATASET 指向新文件夹后重启。",
        "en": "This is the demo dataset (synthetic). Imported rows would mix with the demo's; for a "
        "dataset of your own, point CALLCENTER_DATASET at a new folder and restart.",
    },
    "data.target.imported": {"zh": "这是导入的数据集。", "en": "This is an imported dataset."},
    "data.upload": {"zh": "上传文件", "en": "Upload a file"},
    "data.upload.help": {
        "zh": "CSV（UTF-8 或 GBK/GB18030）、Excel .xlsx、Parquet 或 Asterisk queue_log（扩展名 .log），最大 {mb} MB。",
        "en": "CSV (UTF-8 or GBK/GB18030), Excel .xlsx, Parquet or Asterisk queue_log (as .log), up to {mb} MB.",
    },
    "data.upload.bad_type": {"zh": "不支持此文件类型。", "en": "This file type is not supported."},
    "data.upload.bad_size": {"zh": "文件超过 {mb} MB。", "en": "The file is larger than {mb} MB."},
    "data.upload.bad_empty": {"zh": "文件是空的。", "en": "The file is empty."},
    "data.upload.bad_name": {
        "zh": "文件名无法使用：请改为不超过 200 个字符的普通文件名（不含路径、“..” 或控制字符）后重新上传。",
        "en": "This file name cannot be used: rename the file to a plain name of at most 200 "
        "characters (no path, no “..”, no control characters) and upload it again.",
    },
    "data.report.first_reasons": {"zh": "最先的原因：", "en": "First reasons:"},
    "data.report.repaired": {"zh": "已修复：{what}", "en": "Repaired: {what}"},
    "data.table": {"zh": "导入到哪张表", "en": "Table to fill"},
    "data.mapping": {"zh": "列映射", "en": "Column mapping"},
    "data.mapping.none": {"zh": "无（文件已使用标准列名）", "en": "None (the file uses the canonical column names)"},
    "data.mapping.upload": {"zh": "或上传自己的映射文件（.toml）", "en": "Or upload a mapping of your own (.toml)"},
    "data.mapping.help": {"zh": "映射文件的写法见 docs/import.md。", "en": "How to write one: docs/import.md."},
    "data.mapping.error": {"zh": "映射文件有误：{error}", "en": "The mapping cannot be used: {error}"},
    "data.center": {"zh": "中心代码（文件中没有中心列时使用）", "en": "Center code (for rows that name none)"},
    "data.timezone": {"zh": "新中心的时区", "en": "Time zone of a new center"},
    "data.timezone.help": {
        "zh": "仅在数据集中还没有该中心时使用；不带时区的时间按中心时区理解。",
        "en": "Used only when the dataset does not know the center yet; times without an offset "
        "are read in the center's zone.",
    },
    "data.preview": {"zh": "预览（前 {n} 行）", "en": "Preview (first {n} rows)"},
    "data.preview.format": {"zh": "格式：{format}；编码：{encoding}", "en": "Format: {format}; encoding: {encoding}"},
    "data.preview.columns": {"zh": "列对应关系", "en": "How the columns map"},
    "data.preview.source": {"zh": "文件中的列", "en": "Column in the file"},
    "data.preview.canonical": {"zh": "导入为", "en": "Imported as"},
    "data.preview.ignored": {"zh": "（不导入）", "en": "(not imported)"},
    "data.preview.missing": {
        "zh": "缺少必填列：{cols}。请选择或编写映射文件。",
        "en": "Required columns missing: {cols}. Choose or write a mapping.",
    },
    "data.preview.error": {"zh": "无法读取文件：{error}", "en": "The file cannot be read: {error}"},
    "data.import": {"zh": "导入", "en": "Import"},
    "data.progress": {"zh": "正在导入……", "en": "Importing…"},
    "data.step.ledger": {"zh": "检查是否已导入", "en": "checking the ledger"},
    "data.step.reading": {"zh": "读取文件", "en": "reading the file"},
    "data.step.validating": {"zh": "校验", "en": "validating"},
    "data.step.writing": {"zh": "写入数据湖", "en": "writing the batch"},
    "data.step.rollups": {"zh": "重建汇总", "en": "rebuilding rollups"},
    "data.step.done": {"zh": "完成", "en": "done"},
    "data.report": {"zh": "校验报告", "en": "Validation report"},
    "data.report.file": {"zh": "文件 {file} → 表 {table}", "en": "File {file} → table {table}"},
    "data.report.read": {"zh": "读取行数", "en": "Rows read"},
    "data.report.accepted": {"zh": "接受", "en": "Accepted"},
    "data.report.rejected": {"zh": "拒绝", "en": "Rejected"},
    "data.report.batch": {"zh": "批次 {batch}", "en": "Batch {batch}"},
    "data.report.duplicate": {
        "zh": "此文件已作为批次 {batch} 导入过（{rows} 行），数据未改变。",
        "en": "This file was imported before as batch {batch} ({rows} rows); nothing changed.",
    },
    "data.report.error": {"zh": "没有任何行被接受：{error}", "en": "No row was accepted: {error}"},
    "data.report.success": {"zh": "已导入 {n} 行，汇总已更新。", "en": "{n} rows imported; rollups updated."},
    "data.report.by_reason": {"zh": "拒绝原因统计", "en": "Rejections by reason"},
    "data.report.warnings": {"zh": "提示", "en": "Notes"},
    "data.report.rejects": {
        "zh": "被拒绝的行（文件、行号、列、原因）",
        "en": "Rejected rows (file, line, column, why)",
    },
    "data.report.rejects.caption": {
        "zh": "行号从 1 开始，表头为第 1 行。下载的 CSV 可在 Excel 中安全打开，修正后可重新导入。",
        "en": "Lines count from 1, the header being line 1. The CSV download opens safely in "
        "a spreadsheet; fix the rows and import them again.",
    },
    "data.ledger": {"zh": "导入记录", "en": "Import ledger"},
    "data.ledger.caption": {
        "zh": "每个批次：来源文件、内容哈希、接受与拒绝行数。同一文件再次导入不会重复。",
        "en": "Every batch: source file, content hash, rows accepted and rejected. Importing the same "
        "file again is a no-op.",
    },
    "data.ledger.rejects": {"zh": "查看某批次被拒绝的行", "en": "Rejected rows of a batch"},
    "data.ledger.none": {"zh": "（不查看）", "en": "(none)"},
    "col.reject_file": {"zh": "文件", "en": "File"},
    "col.reject_line": {"zh": "行号", "en": "Line"},
    "col.reject_column": {"zh": "列", "en": "Column"},
    "col.reject_problem": {"zh": "问题", "en": "Problem"},
    "col.reject_reason": {"zh": "详细原因", "en": "Why"},
    "col.reject_values": {"zh": "原始值", "en": "Original values"},
    "col.reject_rows": {"zh": "行数", "en": "Rows"},
    "col.ledger_batch": {"zh": "批次", "en": "Batch"},
    "col.ledger_table": {"zh": "表", "en": "Table"},
    "col.ledger_source": {"zh": "来源", "en": "Source"},
    "col.ledger_read": {"zh": "读取", "en": "Read"},
    "col.ledger_accepted": {"zh": "接受", "en": "Accepted"},
    "col.ledger_rejected": {"zh": "拒绝", "en": "Rejected"},
    "col.ledger_months": {"zh": "月份", "en": "Months"},
    "col.ledger_written": {"zh": "写入时间（UTC）", "en": "Written (UTC)"},
    **{f"data.reason.{k}": {"zh": zh, "en": en} for k, (zh, en) in _REASONS.items()},
    **{f"data.warning.{k}": {"zh": zh, "en": en} for k, (zh, en) in _WARNINGS.items()},
    **{f"data.table.{k}": {"zh": zh, "en": en} for k, (zh, en) in _TABLES.items()},
}
