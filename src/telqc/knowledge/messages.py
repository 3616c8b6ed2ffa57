"""Knowledge-base wording."""

MESSAGES = {
    "w.article": {"zh-CN": "知识文章", "en": "article"},
    "error.kb_state": {"zh-CN": "文章当前状态为「{state}」，不能执行该操作",
                       "en": "the article is {state}; this action is not allowed"},
    "error.kb_own_review": {"zh-CN": "不能审核发布自己撰写的版本", "en": "you may not approve a version you wrote"},
    "w.solution": {"zh-CN": "解决方案", "en": "solution"},
    "ui.kb": {"zh-CN": "知识库", "en": "Knowledge base"},
    "kb.describe": {"zh-CN": "客户问题描述", "en": "Customer's problem"},
    "kb.placeholder": {"zh-CN": "边输入边推荐，例如：宽带断网，光猫红灯闪烁", "en": "Suggestions follow as you type"},
    "kb.reply": {"zh-CN": "回复客户", "en": "Reply to the customer"},
    "kb.best_fixes": {"zh-CN": "推荐解决方案", "en": "Best-known fixes"},
    "kb.evidence": {"zh-CN": "近期 {cases} 单，成功率 {rate}%", "en": "{cases} recent orders, {rate}% success"},
    "kb.examples": {"zh-CN": "案例", "en": "examples"},
    "kb.insert": {"zh-CN": "插入话术", "en": "Insert answer"},
    "kb.articles": {"zh-CN": "相关知识", "en": "Articles"},
    "kb.nothing": {"zh-CN": "暂无匹配的知识", "en": "No matching article"},
    "kb.adopt": {"zh-CN": "采用", "en": "Adopt"},
    "kb.irrelevant": {"zh-CN": "不相关", "en": "Not relevant"},
    "kb.did_you_mean": {"zh-CN": "您是不是要找：", "en": "Did you mean:"},
}
