#pragma once

#include <QString>

// The text a reader sees in a line of Markdown, without its markup: emphasis, code ticks,
// headings, quotes, list markers and link targets are dropped ("Why does my **async**
// endpoint…" -> "Why does my async endpoint…"). For titles and previews, which are plain text.
QString markdownToPlainText(const QString &markdown);
