"""Wording of the audit chain's and the anchors' verdicts (zh-CN first), for the CLI, the audit page and the API."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "audit.gap": {"zh-CN": "第 {row} 行之前缺少第 {first}..{last} 行",
                  "en": "row(s) {first}..{last} missing before row {row}"},
    "audit.link": {"zh-CN": "第 {row} 行未链接到第 {prev} 行", "en": "row {row} does not link to row {prev}"},
    "audit.content": {"zh-CN": "第 {row} 行内容与其哈希不符", "en": "row {row} content does not match its hash"},
    "audit.unknown_key": {"zh-CN": "第 {row} 行由密钥 {key_id} 签名，但 TELQC_AUDIT_KEYS 中没有该密钥",
                          "en": "row {row} is signed with key {key_id}, which TELQC_AUDIT_KEYS does not list"},
    "audit.legacy": {"zh-CN": "第 {row} 行未加密钥（sha256），但位于 TELQC_AUDIT_LEGACY_UNTIL={until} 之后："
                              "只有 0005_audit 迁移之前写入的行可以不加密钥",
                     "en": "row {row} is unkeyed (sha256) but lies after TELQC_AUDIT_LEGACY_UNTIL={until}: only rows "
                           "chained before migration 0005_audit may be"},
    "audit.truncated": {"zh-CN": "第 {prev} 行之后的行缺失（链头在第 {head} 行）",
                        "en": "rows after {prev} missing (head is at {head})"},
    "anchor.none": {"zh-CN": "目录 {dir} 中没有锚点文件", "en": "no anchors in {dir}"},
    "anchor.unreadable": {"zh-CN": "锚点 {file} 无法读取：{error}", "en": "anchor {file} is unreadable: {error}"},
    "anchor.unknown_key": {"zh-CN": "锚点 {file} 由密钥 {key_id} 签名，但 TELQC_AUDIT_KEYS 中没有该密钥",
                           "en": "anchor {file} is signed with key {key_id}, which TELQC_AUDIT_KEYS does not list"},
    "anchor.bad_signature": {"zh-CN": "锚点 {file} 签名无效（文件被改动，或不是 TelQC 写入的）",
                             "en": "anchor {file}: signature invalid (the file was altered or not written by TelQC)"},
    "anchor.missing_row": {"zh-CN": "锚点 {file}：其锚定的第 {row} 行已不存在（链头在第 {head} 行）",
                           "en": "anchor {file}: the row {row} it anchors is missing (head is at {head})"},
    "anchor.rewritten": {"zh-CN": "锚点 {file}：第 {row} 行的哈希已不是锚定时的值，审计链在第 {after} 行之后、"
                                  "第 {row} 行及之前被改写",
                         "en": "anchor {file}: row {row} no longer has the anchored hash: the chain was rewritten "
                               "after row {after}, at or before row {row}"},
    "audit.intact": {"zh-CN": "审计链完整：{n} 行", "en": "audit chain intact: {n} rows"},
    "audit.anchors_ok": {"zh-CN": "{n} 个锚点与审计链一致", "en": "{n} anchors match the chain"},
    "audit.broken": {"zh-CN": "审计链损坏，第 {row} 行：{reason}", "en": "audit chain BROKEN at row {row}: {reason}"},
    "audit.anchored": {"zh-CN": "已写入锚点 {file}（第 {row} 行）", "en": "anchor written: {file} (row {row})"},
}
