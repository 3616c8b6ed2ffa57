"""Knowledge-base wording."""

MESSAGES = {
    "w.article": {"zh-CN": "知识文章", "en": "article"},
    "error.kb_state": {"zh-CN": "文章当前状态为「{state}」，不能执行该操作",
                       "en": "the article is {state}; this action is not allowed"},
    "error.kb_own_review": {"zh-CN": "不能审核发布自己撰写的版本", "en": "you may not approve a version you wrote"},
    "w.solution": {"zh-CN": "解决方案", "en": "solution"},
    "ui.kb": {"zh-CN": "知识库", "en": "Knowledge base"},
}
