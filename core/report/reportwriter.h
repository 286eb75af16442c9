#pragma once

#include "reportdocument.h"
#include "svgplot.h"

#include <QLocale>
#include <algorithm>
#include <cmath>

// The report's vocabulary and the state its sections share, for the section writers
// (report<section>.cpp, one file per section) and ReportDocument::build (reportdocument.cpp).
// Private to core/report.

// A key of run.json and its words in both languages.
struct MetricInfo
{
    const char *key;
    const char *en;
    const char *zh;
};

namespace ReportVocabulary {
// The words of a server setting (ServerConfig::toJson key, "llm.mean" for nested ones); the order
// the settings table lists them in.
QString settingLabel(const QString &key, ReportStyle::Language lang);
QStringList settingOrder();
// A table's words for `key`, or the key made readable (no underscores, the unit in brackets).
QString lookup(const MetricInfo *table, size_t n, const QString &key, ReportStyle::Language lang);
} // namespace ReportVocabulary

// The latest answer of a variant (0 if none).
qint64 lastAnswer(const VariantResult &v);

struct ReportWriter
{
    const RunResult &run;
    ReportOptions options;
    ReportStyle::Language lang;
    QLocale locale;
    ReportDocument doc;
    double spanS = 1; // the longest variant, first intended send to last answer
    SvgPlot::TimeUnit unit;

    ReportWriter(const RunResult &r, const ReportOptions &o)
        : run(r)
        , options(o)
        , lang(o.language)
        , locale(o.language == ReportStyle::Language::Chinese
                     ? QLocale(QLocale::Chinese, QLocale::China)
                     : QLocale(QLocale::English, QLocale::UnitedStates))
    {
        locale.setNumberOptions(QLocale::DefaultNumberOptions);
    }

    QString L(const char *en, const char *zh) const { return ReportStyle::pick(lang, en, zh); }
    QString num(double v, int decimals) const { return locale.toString(v, 'f', decimals); }
    QString count(double v) const { return locale.toString(qint64(std::llround(v))); }
    // Three significant figures or so: 0.538, 2.69, 26.9, 269, 2,690.
    QString sig(double v) const
    {
        const double a = std::abs(v);
        return num(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
    }
    QString ms(double v) const { return num(v, std::abs(v) >= 100 ? 0 : 1); }
    QString variantTitle(const VariantResult &v) const { return ReportText::variantTitle(run, v, lang); }
    QString variantShort(int i) const { return run.variants[i].name; }
    // A recording of outside load (or observed services) has no client side (issue #23).
    QString notMeasured() const { return L("not measured (recorded server-side)", "未测得（服务器端录制）"); }
    // The time axes' title: an observation's axis starts when it started receiving (the services'
    // start-up shows before their first request), a run's at its first request.
    QString timeAxisTitle() const
    {
        return (run.machine.contains(QStringLiteral("otlp"))
                    ? L("Time since the observation started (%1)", "自开始观测起的时间（%1）")
                    : L("Time since the first request (%1)", "自第一个请求起的时间（%1）"))
            .arg(unit.unit);
    }
    bool anyServerSideOnly() const
    {
        return std::any_of(run.variants.begin(), run.variants.end(),
                           [](const VariantResult &v) { return v.isServerSideOnly(); });
    }

    void heading(const QString &text, int level = 2)
    {
        ReportBlock b;
        b.kind = ReportBlock::Kind::Heading;
        b.level = level;
        b.text = text;
        doc.blocks.push_back(b);
    }
    void paragraph(const QString &text, ReportBlock::Kind kind = ReportBlock::Kind::Paragraph)
    {
        if (text.isEmpty())
            return;
        ReportBlock b;
        b.kind = kind;
        b.text = text;
        doc.blocks.push_back(b);
    }
    void figure(const QString &title, const QString &svg, int w, int h, const QString &caption)
    {
        ReportBlock b;
        b.kind = ReportBlock::Kind::Figure;
        b.text = title;
        b.svg = svg;
        b.svgWidth = w;
        b.svgHeight = h;
        b.caption = caption;
        doc.blocks.push_back(b);
    }

    void build();
    void summary();
    void timelines();
    void counters();
    void observed(); // the observed services' own metrics (reportobserved.cpp)
    void databasePool();
    // A chart of counter samples over time: each line for every variant, in the variant's colour,
    // solid, dashed, then dotted.
    using CounterLine = std::pair<QString, double (*)(const CounterSample &)>;
    void counterChart(const QString &title, const QString &yTitle, const QString &caption,
                      const QList<CounterLine> &lines);
    void latency();
    void percentiles();
    void expected();
    void settings();
    void requests();
    void details();
};
